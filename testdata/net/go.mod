module godiag.test/net

go 1.19
