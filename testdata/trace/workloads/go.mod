module godiag.test/traceworkloads

go 1.19
