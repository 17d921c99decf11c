// Package capture is the tiny harness shared by the godiag fixture workloads.
// It parses the common -out/-seconds flags, runs the CPU profiler for the
// whole run and, at the end, writes every other runtime/pprof profile in
// each format the Go runtime can produce (proto and the legacy text forms).
package capture

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"
)

// Session is one profiled run of a workload.
type Session struct {
	Out      string
	Seconds  float64
	Deadline time.Time
	cpu      *os.File
}

// Start parses flags, creates the output directory and starts the CPU profiler.
// Call it as the first thing in main (after setting profile rates).
func Start() *Session {
	out := flag.String("out", "", "directory to write the profiles into (required)")
	secs := flag.Float64("seconds", 2, "how long to run the workload")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: -out DIR [-seconds N]")
		os.Exit(2)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fatal(err)
	}
	f, err := os.Create(filepath.Join(*out, "cpu.pb.gz"))
	if err != nil {
		fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fatal(err)
	}
	return &Session{
		Out:      *out,
		Seconds:  *secs,
		Deadline: time.Now().Add(time.Duration(*secs * float64(time.Second))),
		cpu:      f,
	}
}

// Running reports whether the workload should keep going.
func (s *Session) Running() bool { return time.Now().Before(s.Deadline) }

// Finish stops the CPU profiler and writes every other profile. Goroutines
// that are parked when Finish is called appear in the goroutine profiles.
func (s *Session) Finish() {
	pprof.StopCPUProfile()
	if err := s.cpu.Close(); err != nil {
		fatal(err)
	}
	// The heap profile reflects the state as of the most recently completed
	// GC; force one so the in-use figures include the end of the run
	// (this is what net/http/pprof does with ?gc=1).
	runtime.GC()
	s.write("heap", 0, "heap.pb.gz")
	s.write("heap", 1, "heap.debug1.txt")
	s.write("allocs", 0, "allocs.pb.gz")
	s.write("block", 0, "block.pb.gz")
	s.write("mutex", 0, "mutex.pb.gz")
	s.write("goroutine", 0, "goroutine.pb.gz")
	s.write("goroutine", 1, "goroutine.debug1.txt")
	s.write("goroutine", 2, "goroutine.debug2.txt")
	s.write("threadcreate", 0, "threadcreate.pb.gz")
	s.write("threadcreate", 1, "threadcreate.debug1.txt")
}

func (s *Session) write(name string, debug int, file string) {
	p := pprof.Lookup(name)
	if p == nil {
		fatal(fmt.Errorf("no %s profile", name))
	}
	f, err := os.Create(filepath.Join(s.Out, file))
	if err != nil {
		fatal(err)
	}
	if err := p.WriteTo(f, debug); err != nil {
		fatal(fmt.Errorf("%s: %w", file, err))
	}
	if err := f.Close(); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "capture:", err)
	os.Exit(1)
}
