// tasks: user tasks, regions and logs (runtime/trace) around requests that wait in
// different ways: channel, mutex, sleep, network and syscall. Writes an execution
// trace to os.Args[1].
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"runtime/trace"
	"sync"
	"syscall"
	"time"
)

var mu sync.Mutex

func chanWait(ctx context.Context) {
	trace.WithRegion(ctx, "chanWait", func() {
		ch := make(chan int)
		go func() { time.Sleep(3 * time.Millisecond); ch <- 1 }()
		<-ch
	})
}

func mutexWait(ctx context.Context) {
	trace.WithRegion(ctx, "mutexWait", func() {
		mu.Lock()
		mu.Unlock()
	})
}

func sleepWait(ctx context.Context) {
	trace.WithRegion(ctx, "sleep", func() { time.Sleep(2 * time.Millisecond) })
}

func netWait(ctx context.Context, addr string) {
	trace.WithRegion(ctx, "netRoundTrip", func() {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			panic(err)
		}
		defer c.Close()
		c.Write([]byte("x"))
		buf := make([]byte, 1)
		c.Read(buf)
	})
}

func syscallWait(ctx context.Context) {
	trace.WithRegion(ctx, "syscall", func() {
		// A blocking system call the runtime sees as such (not the network poller).
		ts := syscall.Timespec{Nsec: 1e6}
		syscall.Nanosleep(&ts, nil)
	})
}

func handle(id int, addr string) {
	ctx, task := trace.NewTask(context.Background(), "request")
	defer task.End()
	trace.Logf(ctx, "request", "id=%d", id)
	chanWait(ctx)
	mutexWait(ctx)
	sleepWait(ctx)
	netWait(ctx, addr)
	syscallWait(ctx)
	if id%10 == 0 {
		_, sub := trace.NewTask(ctx, "audit")
		time.Sleep(time.Millisecond)
		sub.End()
	}
}

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 1)
				c.Read(buf)
				time.Sleep(time.Millisecond) // the server takes a while: the client waits in the poller
				c.Write(buf)
			}()
		}
	}()
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	// A holder keeps the mutex busy so requests contend for it.
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			mu.Lock()
			time.Sleep(500 * time.Microsecond)
			mu.Unlock()
			time.Sleep(100 * time.Microsecond)
		}
	}()
	var wg sync.WaitGroup
	for i := 0; i < 60; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			handle(i, ln.Addr().String())
		}(i)
		time.Sleep(15 * time.Millisecond)
	}
	wg.Wait()
	close(stop)
	ln.Close()
	trace.Stop()
	f.Close()
	fmt.Fprintln(os.Stderr, "done")
}
