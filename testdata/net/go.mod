module godiag.test/net

go 1.24
