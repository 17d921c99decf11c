// dialpercall forwards each order event to a webhook upstream. In "percall" mode
// main.(*notifier).send builds a new http.Transport and http.Client for every event,
// so every call dials a new connection, and each one then sits idle in a pool nobody
// uses again until the Transport's IdleConnTimeout; in "shared" mode all events go
// through one long-lived client. Every response body is read and closed in both.
//
//	prog upstream                 serves /hook; prints its URL
//	prog percall|shared URL       serves /order, posting to URL/hook; prints its URL
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"time"
)

type notifier struct {
	url     string
	shared  *http.Client
	perCall bool
}

func newClient() *http.Client {
	return &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second},
	}
}

// send posts one event to the webhook and reads the answer.
func (n *notifier) send(event string) error {
	c := n.shared
	if n.perCall {
		c = newClient()
	}
	resp, err := c.Post(n.url+"/hook", "application/json", strings.NewReader(event))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

func listen() net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	fmt.Println("http://" + ln.Addr().String())
	return ln
}

func main() {
	// Sample an allocation every 64 KB instead of 512 KB: the tests capture a few seconds
	// of light load, and the client's call sites must be in the allocation profile.
	runtime.MemProfileRate = 64 << 10
	mode := os.Args[1]
	if mode == "upstream" {
		ln := listen()
		srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 120 * time.Second,
			Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				fmt.Fprintln(w, `{"ok":true}`)
			})}
		panic(srv.Serve(ln))
	}
	n := &notifier{url: os.Args[2], shared: newClient(), perCall: mode == "percall"}
	var seq atomic.Int64
	http.HandleFunc("/order", func(w http.ResponseWriter, r *http.Request) {
		if err := n.send(fmt.Sprintf(`{"order":%d,"status":"paid"}`, seq.Add(1))); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	ln := listen()
	panic(http.Serve(ln, nil))
}
