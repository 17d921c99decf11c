module waitsvc

go 1.21
