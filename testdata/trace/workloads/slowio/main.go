// slowio: requests (user tasks "checkout") that each ask an inventory backend on
// 127.0.0.1 over TCP, which answers after 20 ms, in a region opened by
// main.fetchInventory; the rest of a request is under a millisecond of work. The
// latency is the network wait. Writes an execution trace to os.Args[1].
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"runtime/trace"
	"sync"
	"time"
)

func backend(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			buf := make([]byte, 1)
			for {
				if _, err := c.Read(buf); err != nil {
					return
				}
				time.Sleep(20 * time.Millisecond) // a slow peer
				c.Write(buf)
			}
		}()
	}
}

func fetchInventory(ctx context.Context, c net.Conn) {
	trace.WithRegion(ctx, "fetchInventory", func() {
		buf := []byte{1}
		if _, err := c.Write(buf); err != nil {
			panic(err)
		}
		if _, err := c.Read(buf); err != nil {
			panic(err)
		}
	})
}

func applyRules(ctx context.Context) int {
	s := 0
	trace.WithRegion(ctx, "applyRules", func() {
		for i := 0; i < 20000; i++ {
			s = (s*31 + i) % 1000003
		}
	})
	return s
}

func checkout(c net.Conn) {
	ctx, task := trace.NewTask(context.Background(), "checkout")
	defer task.End()
	fetchInventory(ctx, c)
	applyRules(ctx)
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
	go backend(ln)
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	deadline := time.Now().Add(time.Second)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				panic(err)
			}
			defer c.Close()
			for time.Now().Before(deadline) {
				checkout(c)
			}
		}()
	}
	wg.Wait()
	ln.Close()
	trace.Stop()
	f.Close()
	fmt.Fprintln(os.Stderr, "done")
}
