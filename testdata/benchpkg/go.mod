module godiag.test/benchpkg

go 1.22
