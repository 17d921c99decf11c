// regexpmatch routes numbers with regexp.MatchString, which parses and compiles
// its pattern on every call (regexp/regexp.go: MatchString calls Compile), so
// main.matchRoute's CPU is compile work it never needed to repeat.
//
//	go run . OUTDIR light   # < 0.25 core: a few routes, then a sleep, for 4 s
//	go run . OUTDIR busy    # 2 goroutines routing flat out for 3 s (GC runs often)
//
// Writes OUTDIR/cpu.pprof and OUTDIR/allocs.pprof (stderr carries gctrace when
// GODEBUG=gctrace=1).
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"sync"
	"time"
)

var patterns = func() []string {
	var p []string
	for i := 0; i < 40; i++ {
		p = append(p, fmt.Sprintf(`^\+?%02d[0-9]{3,6}(-[a-z]+)?$`, i))
	}
	return p
}()

// matchRoute returns the first rule whose pattern matches the number.
func matchRoute(number string) int {
	for i, p := range patterns {
		if ok, _ := regexp.MatchString(p, number); ok {
			return i
		}
	}
	return -1
}

var sink int

func main() {
	dir, mode := os.Args[1], os.Args[2]
	f, err := os.Create(filepath.Join(dir, "cpu.pprof"))
	if err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		panic(err)
	}
	switch mode {
	case "light":
		// well under a quarter of a core: route 10 numbers, then idle five times as long.
		for end := time.Now().Add(4 * time.Second); time.Now().Before(end); {
			start := time.Now()
			for i := 0; i < 10; i++ {
				sink += matchRoute("3912345")
			}
			time.Sleep(5 * time.Since(start))
		}
	case "busy":
		var wg sync.WaitGroup
		for g := 0; g < 2; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n := 0
				for end := time.Now().Add(3 * time.Second); time.Now().Before(end); {
					n += matchRoute("3912345")
				}
				sink += n
			}()
		}
		wg.Wait()
	}
	pprof.StopCPUProfile()
	f.Close()
	a, err := os.Create(filepath.Join(dir, "allocs.pprof"))
	if err != nil {
		panic(err)
	}
	if err := pprof.Lookup("allocs").WriteTo(a, 0); err != nil {
		panic(err)
	}
	a.Close()
}
