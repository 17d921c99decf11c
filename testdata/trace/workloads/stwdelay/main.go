// stwdelay: main.copyFrames copies a 64 MiB buffer over and over. The copy is one
// runtime.memmove, which cannot be preempted, so every stop-the-world that starts
// during it (the three GCs main forces, 30 ms apart) waits until the copy returns.
// Writes an execution trace to os.Args[1].
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
	"sync/atomic"
	"time"
)

const size = 64 << 20

var copies atomic.Int64

// copyFrames stops after n copies, so however long a stop-the-world waits for it, the
// program ends.
func copyFrames(n int, dst, src []byte, done chan<- struct{}) {
	defer close(done)
	for i := 0; i < n; i++ {
		copy(dst, src)
		copies.Add(1)
	}
}

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	src := make([]byte, size)
	dst := make([]byte, size)
	for i := range src {
		src[i] = byte(i)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	done := make(chan struct{})
	go copyFrames(40, dst, src, done)
	for i := 0; i < 3; i++ {
		time.Sleep(30 * time.Millisecond)
		runtime.GC()
	}
	<-done
	trace.Stop()
	f.Close()
	fmt.Fprintln(os.Stderr, "copies", copies.Load())
}
