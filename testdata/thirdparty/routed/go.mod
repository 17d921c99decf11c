module godiag.test/routed

go 1.24

require (
	github.com/go-chi/chi/v5 v5.5.0
	go.uber.org/zap v1.28.0
)

require go.uber.org/multierr v1.10.0 // indirect
