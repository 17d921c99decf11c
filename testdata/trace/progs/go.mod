module godiag.test/traceprogs

go 1.26
