// network: a TCP echo service and many client connections on 127.0.0.1; goroutines
// block in the network poller. Writes an execution trace to os.Args[1].
package main

import (
	"bufio"
	"io"
	"net"
	"os"
	"runtime/trace"
	"sync"
	"time"
)

func serve(c net.Conn) {
	defer c.Close()
	io.Copy(c, c)
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
			go serve(c)
		}
	}()
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	deadline := time.Now().Add(1000 * time.Millisecond)
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A fresh connection every few messages: many connections, accepts and closes.
			for time.Now().Before(deadline) {
				c, err := net.Dial("tcp", ln.Addr().String())
				if err != nil {
					panic(err)
				}
				r := bufio.NewReader(c)
				for j := 0; j < 5; j++ {
					if _, err := c.Write([]byte("ping\n")); err != nil {
						panic(err)
					}
					if _, err := r.ReadString('\n'); err != nil {
						panic(err)
					}
					time.Sleep(2 * time.Millisecond)
				}
				c.Close()
			}
		}()
	}
	wg.Wait()
	ln.Close()
	trace.Stop()
	f.Close()
}
