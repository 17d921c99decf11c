// notimeout: an http.Server without ReadTimeout, ReadHeaderTimeout or IdleTimeout.
// Clients open keep-alive connections, make one request and then go idle without
// closing (as mobile clients and broken proxies do). With no idle or read timeout
// the server keeps one net/http.(*conn).serve goroutine per connection in IO wait
// forever, so they grow with every new client.
package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"godiag.test/workloads/internal/faultserver"
)

//go:noinline
func handlePing(w http.ResponseWriter, r *http.Request) {
	_, _ = io.WriteString(w, "pong\n")
}

// idleClient connects, sends one keep-alive request, reads the answer and then
// keeps the connection open without using it again.
//
//go:noinline
func idleClient(addr string) net.Conn {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil
	}
	_, _ = io.WriteString(c, "GET /ping HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return c
}

func main() {
	s := faultserver.New("notimeout", "http.Server without ReadTimeout/ReadHeaderTimeout/IdleTimeout: idle keep-alive connections pile up")
	// The fault: a server built without timeouts.
	s.Server.ReadTimeout = 0
	s.Server.ReadHeaderTimeout = 0
	s.Server.IdleTimeout = 0
	s.Server.WriteTimeout = 0
	s.Mux.HandleFunc("/ping", handlePing)
	s.Serve()
	s.Run(func() {
		addr := strings.TrimPrefix(s.URL, "http://")
		var idle []net.Conn // held open, never closed during the run
		for s.Running() {
			if c := idleClient(addr); c != nil {
				idle = append(idle, c)
			}
			time.Sleep(40 * time.Millisecond) // about 25 new idle connections per second
		}
		for _, c := range idle {
			c.Close()
		}
	})
}
