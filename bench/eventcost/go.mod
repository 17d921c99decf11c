module godiag.bench/eventcost

go 1.25.0
