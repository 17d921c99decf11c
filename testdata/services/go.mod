module godiag.test/services

go 1.19
