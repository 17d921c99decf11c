// Command tracebasic writes two execution traces (runtime/trace started and stopped
// twice) of a small program that exercises what the trace reader must handle: goroutines
// created, blocked and unblocked on channels, a mutex, loopback TCP (netpoll), file
// syscalls, forced GCs, and runtime/trace tasks, regions and logs.
//
// The CPU profiler runs during the first session, so that trace has CPU samples too.
//
//	tracebasic -out PREFIX   writes PREFIX-1.trace and PREFIX-2.trace
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"time"
)

var sink [][]byte

func work(ctx context.Context, round int) {
	ctx, task := trace.NewTask(ctx, fmt.Sprintf("round-%d", round))
	defer task.End()
	trace.Log(ctx, "round", fmt.Sprint(round))

	// Channels: a pipeline of goroutines that block and unblock each other.
	trace.WithRegion(ctx, "pipeline", func() {
		in := make(chan int)
		out := make(chan int)
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for v := range in {
					out <- v * 2
				}
			}()
		}
		go func() {
			for i := 0; i < 200; i++ {
				in <- i
			}
			close(in)
		}()
		go func() { wg.Wait(); close(out) }()
		sum := 0
		for v := range out {
			sum += v
		}
		trace.Logf(ctx, "sum", "%d", sum)
	})

	// A contended mutex.
	trace.WithRegion(ctx, "mutex", func() {
		var mu sync.Mutex
		var wg sync.WaitGroup
		n := 0
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := 0; j < 1000; j++ {
					mu.Lock()
					n++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
	})

	// Loopback TCP: goroutines parked in netpoll.
	trace.WithRegion(ctx, "tcp", func() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			log.Fatal(err)
		}
		defer ln.Close()
		go func() {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
			io.Copy(c, c)
		}()
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			log.Fatal(err)
		}
		buf := make([]byte, 512)
		for i := 0; i < 50; i++ {
			c.Write(buf)
			io.ReadFull(c, buf)
		}
		c.Close()
	})

	// File syscalls.
	trace.WithRegion(ctx, "files", func() {
		f, err := os.CreateTemp("", "tracebasic")
		if err != nil {
			log.Fatal(err)
		}
		defer os.Remove(f.Name())
		for i := 0; i < 100; i++ {
			f.Write(make([]byte, 4096))
		}
		f.Sync()
		f.Close()
	})

	// Allocation and forced GCs; a nested child task.
	_, child := trace.NewTask(ctx, "alloc")
	for i := 0; i < 2000; i++ {
		sink = append(sink, make([]byte, 1024))
		if len(sink) > 500 {
			sink = nil
		}
	}
	runtime.GC()
	child.End()
	time.Sleep(2 * time.Millisecond)
}

func spin(d time.Duration) {
	x := 0
	for start := time.Now(); time.Since(start) < d; {
		for i := 0; i < 100000; i++ {
			x += i * i
		}
	}
	sinkInt = x
}

var sinkInt int

func main() {
	out := flag.String("out", "", "output prefix")
	flag.Parse()
	for n := 1; n <= 2; n++ {
		f, err := os.Create(fmt.Sprintf("%s-%d.trace", *out, n))
		if err != nil {
			log.Fatal(err)
		}
		if err := trace.Start(f); err != nil {
			log.Fatal(err)
		}
		if n == 1 {
			if err := pprof.StartCPUProfile(io.Discard); err != nil {
				log.Fatal(err)
			}
		}
		for round := 0; round < 3; round++ {
			work(context.Background(), round)
		}
		if n == 1 {
			spin(50 * time.Millisecond) // enough CPU for some samples at 100 Hz
			pprof.StopCPUProfile()
		}
		trace.Stop()
		if err := f.Close(); err != nil {
			log.Fatal(err)
		}
	}
}
