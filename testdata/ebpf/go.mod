module godiag.test/ebpf

go 1.19
