// Command tracebusy writes a large execution trace of a busy program (many goroutines
// passing messages, allocating, syscalls), for the reader's speed and memory
// measurements: it traces until the trace file reaches -mb megabytes (and -seconds have
// passed). With -hop, workers pause between messages: a small trace of many generations
// (the runtime starts one about every second).
//
//	tracebusy -out FILE -mb 20
//	tracebusy -out FILE -mb 0 -seconds 3.5 -goroutines 20 -hop 200us
package main

import (
	"flag"
	"log"
	"os"
	"runtime/trace"
	"sync/atomic"
	"time"
)

var sink atomic.Pointer[[]byte]

func main() {
	out := flag.String("out", "", "output file")
	mb := flag.Int("mb", 20, "stop tracing once the file is this big")
	workers := flag.Int("goroutines", 200, "worker goroutines")
	seconds := flag.Float64("seconds", 0, "trace at least this long")
	hop := flag.Duration("hop", 0, "pause before passing each message on")
	flag.Parse()
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}
	stop := make(chan struct{})
	chans := make([]chan int, *workers)
	for i := range chans {
		chans[i] = make(chan int)
	}
	for i := range chans {
		go func(i int) {
			next := chans[(i+1)%len(chans)]
			for {
				select {
				case v := <-chans[i]:
					b := make([]byte, 64+v%512)
					sink.Store(&b)
					if *hop > 0 {
						time.Sleep(*hop)
					}
					select {
					case next <- v + 1:
					case <-stop:
						return
					}
				case <-stop:
					return
				}
			}
		}(i)
	}
	for i := 0; i < len(chans); i += 10 {
		go func(i int) { chans[i] <- i }(i)
	}
	start := time.Now()
	for {
		time.Sleep(20 * time.Millisecond)
		if time.Since(start).Seconds() < *seconds {
			continue
		}
		st, err := f.Stat()
		if err != nil {
			log.Fatal(err)
		}
		if st.Size() >= int64(*mb)<<20 {
			break
		}
	}
	trace.Stop()
	close(stop)
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
