module godiag.test/workloads

go 1.22
