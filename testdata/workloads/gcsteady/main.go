// gcsteady allocates at a fixed pace over a fixed live heap, for validating the
// GOGC what-if model (test/gc-whatif.test.ts runs it at GOGC=50/100/200 with
// GODEBUG=gctrace=1). Allocation is paced by wall clock, not by CPU, so the rate
// does not depend on how much CPU the GC takes: only the heap goal changes with GOGC.
//
//	gcsteady -live-mib 16 -rate-mib 64 -seconds 3 [-addr 127.0.0.1:0]
//
// With -addr it also serves /debug/pprof there (test/gc-rate.test.ts fetches heap
// profiles from it) and prints "listening on http://ADDR".
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"time"
)

var (
	live [][]byte
	sink []byte
)

func main() {
	liveMiB := flag.Int("live-mib", 16, "live heap held for the whole run, MiB")
	rateMiB := flag.Int("rate-mib", 64, "allocation rate, MiB/s")
	seconds := flag.Float64("seconds", 3, "run time")
	addr := flag.String("addr", "", "also serve /debug/pprof on this address")
	flag.Parse()
	if *addr != "" {
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gcsteady:", err)
			os.Exit(1)
		}
		fmt.Printf("listening on http://%s\n", ln.Addr())
		go func() { _ = http.Serve(ln, nil) }()
	}
	for i := 0; i < *liveMiB*16; i++ {
		live = append(live, make([]byte, 64<<10))
	}
	const tick = 2 * time.Millisecond
	const chunk = 8 << 10
	perTick := *rateMiB << 20 / int(time.Second/tick)
	start := time.Now()
	end := start.Add(time.Duration(*seconds * float64(time.Second)))
	allocated := 0
	for now := time.Now(); now.Before(end); now = time.Now() {
		// Catch up to where the pace says we should be, then sleep one tick.
		due := int(float64(perTick) * float64(now.Sub(start)) / float64(tick))
		for allocated < due {
			sink = make([]byte, chunk)
			allocated += chunk
		}
		time.Sleep(tick)
	}
	_ = live
}
