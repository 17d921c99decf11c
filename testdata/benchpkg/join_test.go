package benchpkg

import (
	"fmt"
	"os"
	"testing"
)

// BENCH_VARIANT=new switches the implementation under test, so one package
// yields an "old" and a "new" run of the same benchmark names.
func join(parts []string, sep string) string {
	if os.Getenv("BENCH_VARIANT") == "new" {
		return JoinBuilder(parts, sep)
	}
	return JoinNaive(parts, sep)
}

var sink string

func BenchmarkJoin(b *testing.B) {
	for _, n := range []int{4, 64} {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf("part%d", i)
		}
		b.Run(fmt.Sprintf("parts=%d", n), func(b *testing.B) {
			b.SetBytes(int64(n * 5))
			for i := 0; i < b.N; i++ {
				sink = join(parts, ",")
			}
		})
	}
}

func BenchmarkConst(b *testing.B) {
	b.ReportMetric(42, "widgets/op")
	for i := 0; i < b.N; i++ {
		sink = "x"
	}
}
