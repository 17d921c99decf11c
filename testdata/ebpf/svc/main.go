// svc is the target of the eBPF tests: a small HTTP service that loads itself
// from in-process clients, with faults only eBPF sees chosen by flags.
// stdlib only, go 1.19 in go.mod: the tests build it with Go 1.19 and 1.26.
//
//	-mode work     requests do a little CPU, a mutex and channel hand-offs
//	-mode fsync    each request appends a record and fsyncs it (main.saveOrder)
//	-mode idle     a ticker wakes up every 2 ms and spins -tickwork iterations: a
//	               service needing part of one CPU, starved by a CPU-burning neighbour
//	-mode backlog  listen backlog 1 and a slow accept loop; a burst of dials
//	               overflows the accept queue
//	-mode burn     burn CPU on every P (the neighbour), no server
//
// It prints "listening ADDR" ("burning" in burn mode, once every burner runs) and runs -seconds,
// or forever with 0.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"time"
)

var (
	mode    = flag.String("mode", "work", "work | fsync | idle | backlog | burn")
	seconds = flag.Int("seconds", 0, "run this long (0: until killed)")
	clients = flag.Int("clients", 4, "in-process load clients")
	dir     = flag.String("dir", os.TempDir(), "where fsync mode writes")
	work    = flag.Int("tickwork", 20000, "idle mode: spin iterations per 2 ms tick")
)

var (
	mu      sync.Mutex
	counter int
	jobs    = make(chan int)
	results = make(chan int)
)

//go:noinline
func spin(n int) int {
	x := 1
	for i := 0; i < n; i++ {
		x = x*31 + i
	}
	return x
}

// worker hands results back over a channel so requests park on channels.
func worker() {
	for j := range jobs {
		results <- spin(j)
	}
}

//go:noinline
func handleWork(w http.ResponseWriter, r *http.Request) {
	mu.Lock()
	counter++
	mu.Unlock()
	jobs <- 20000
	v := <-results
	fmt.Fprintf(w, "%d\n", v)
}

var orders *os.File

// saveOrder is the fault: one fsync per request.
//
//go:noinline
func saveOrder(id int) error {
	mu.Lock()
	defer mu.Unlock()
	if _, err := fmt.Fprintf(orders, "order %d\n", id); err != nil {
		return err
	}
	return orders.Sync()
}

//go:noinline
func handleOrder(w http.ResponseWriter, r *http.Request) {
	mu.Lock()
	counter++
	id := counter
	mu.Unlock()
	if err := saveOrder(id); err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	fmt.Fprintf(w, "ok %d\n", id)
}

func load(addr, path string, stop <-chan struct{}) {
	c := &http.Client{Timeout: 5 * time.Second}
	for {
		select {
		case <-stop:
			return
		default:
		}
		resp, err := c.Get("http://" + addr + path)
		if err != nil {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

//go:noinline
func tick() int { return spin(*work) }

// smallBacklog listens with a backlog of 1 (net.Listen uses somaxconn).
func smallBacklog() net.Listener {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	must(err)
	must(syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	must(syscall.Listen(fd, 1))
	f := os.NewFile(uintptr(fd), "listener")
	ln, err := net.FileListener(f)
	must(err)
	f.Close()
	return ln
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func main() {
	flag.Parse()
	stop := make(chan struct{})
	if *seconds > 0 {
		time.AfterFunc(time.Duration(*seconds)*time.Second, func() { close(stop) })
	}
	switch *mode {
	case "burn":
		var burning sync.WaitGroup
		for i := 0; i < runtime.GOMAXPROCS(0); i++ {
			burning.Add(1)
			go func() {
				burning.Done()
				for {
					spin(1 << 20)
				}
			}()
		}
		// Every burner is running: a test waits for this line before it measures the starvation.
		burning.Wait()
		fmt.Println("burning")
		<-stop
		return
	case "idle":
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		must(err)
		fmt.Println("listening", ln.Addr())
		t := time.NewTicker(2 * time.Millisecond)
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				tick()
			}
		}
	case "backlog":
		ln := smallBacklog()
		fmt.Println("listening", ln.Addr())
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				c.Close()
				time.Sleep(50 * time.Millisecond) // a slow accept loop
			}
		}()
		// Bursts of 64 dials every 500 ms: far more than the queue holds.
		for {
			var wg sync.WaitGroup
			for i := 0; i < 64; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					c, err := net.DialTimeout("tcp", ln.Addr().String(), 3*time.Second)
					if err == nil {
						c.Close()
					}
				}()
			}
			wg.Wait()
			select {
			case <-stop:
				return
			case <-time.After(500 * time.Millisecond):
			}
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	mux := http.NewServeMux()
	mux.HandleFunc("/work", handleWork)
	// /debug/pprof, for godiag capture --ebpf (the probes join the pprof bundle).
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	path := "/work"
	if *mode == "fsync" {
		orders, err = os.Create(filepath.Join(*dir, fmt.Sprintf("orders-%d.log", os.Getpid())))
		must(err)
		defer os.Remove(orders.Name())
		mux.HandleFunc("/order", handleOrder)
		path = "/order"
	}
	for i := 0; i < 4; i++ {
		go worker()
	}
	go func() { _ = http.Serve(ln, mux) }()
	fmt.Println("listening", ln.Addr())
	fmt.Printf("listening on http://%s\n", ln.Addr())
	for i := 0; i < *clients; i++ {
		go load(ln.Addr().String(), path, stop)
	}
	<-stop
}
