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
//	-mode dials    a listener with the default backlog and a fast accept loop, and
//	               16 dialers each dialling every 250 ms, sending a line and reading the
//	               answer: the packet-loss test drops a share of this port's packets
//	               (nftables in a network namespace), its healthy twin drops none
//	-mode burn     burn CPU on every P (the neighbour), no server
//	-mode slowio   each request reads a record from a "device": a child process (this
//	               binary, -mode device) answering on a blocking socket after -iodelay;
//	               main.readRecord's read(2) waits for it (-iodelay 0: the healthy twin)
//	-mode fdleak   each request (about 40 a second) dials a backend in the same process
//	               and keeps the connection forever (main.handleCall): sockets and the
//	               backend's reading goroutines (main.serveBackend) pile up
//	               (-closeconns: it closes them, the healthy twin)
//	-mode chain    each request passes a token through -stages goroutines over
//	               unbuffered channels, each stage under one shared mutex: requests wait
//	               on each other, no I/O below them
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
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"time"
)

var (
	mode    = flag.String("mode", "work", "work | fsync | idle | backlog | dials | burn | slowio | fdleak | chain")
	seconds = flag.Int("seconds", 0, "run this long (0: until killed)")
	clients = flag.Int("clients", 4, "in-process load clients")
	dir     = flag.String("dir", os.TempDir(), "where fsync mode writes")
	work    = flag.Int("tickwork", 20000, "idle mode: spin iterations per 2 ms tick")
	iodelay = flag.Duration("iodelay", 10*time.Millisecond, "slowio mode: how long the device takes to answer")
	stages  = flag.Int("stages", 8, "chain mode: goroutines a token passes through")
	noPprof = flag.Bool("nopprof", false, "idle mode: do not serve /debug/pprof")
	closeIt = flag.Bool("closeconns", false, "fdleak mode: close each connection (the healthy twin)")
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

// devices: one blocking socket per load client, the other end in the device process.
var devices chan int

// readRecord is the fault of slowio mode: a blocking read(2) that waits for the device.
//
//go:noinline
func readRecord() (byte, error) {
	fd := <-devices
	defer func() { devices <- fd }()
	if _, err := syscall.Write(fd, []byte{1}); err != nil {
		return 0, err
	}
	var b [1]byte
	_, err := syscall.Read(fd, b[:])
	return b[0], err
}

//go:noinline
func handleRecord(w http.ResponseWriter, r *http.Request) {
	b, err := readRecord()
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	fmt.Fprintf(w, "record %d\n", b)
}

// startDevice starts this binary as the device process, one blocking socket pair per client.
func startDevice(n int) {
	devices = make(chan int, n)
	var theirs []*os.File
	for i := 0; i < n; i++ {
		// No SOCK_NONBLOCK: reads block in the kernel, not in Go's netpoller.
		fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
		must(err)
		devices <- fds[0]
		theirs = append(theirs, os.NewFile(uintptr(fds[1]), "device"))
	}
	cmd := exec.Command(os.Args[0], "-mode", "device", "-iodelay", iodelay.String(), "-clients", fmt.Sprint(n))
	cmd.ExtraFiles = theirs
	cmd.Stderr = os.Stderr
	must(cmd.Start())
	for _, f := range theirs {
		f.Close()
	}
}

// device answers each byte on fds 3.. after -iodelay; it ends when its peer closes.
func device() {
	var wg sync.WaitGroup
	for i := 0; i < *clients; i++ {
		wg.Add(1)
		go func(fd int) {
			defer wg.Done()
			var b [1]byte
			for {
				if n, err := syscall.Read(fd, b[:]); n == 0 || err != nil {
					return
				}
				time.Sleep(*iodelay)
				if _, err := syscall.Write(fd, b[:]); err != nil {
					return
				}
			}
		}(3 + i)
	}
	wg.Wait()
}

// kept holds fdleak mode's connections: referenced, so no finalizer closes them.
var (
	keptMu  sync.Mutex
	kept    []net.Conn
	backend string
)

// serveBackend reads a connection until its client closes it.
//
//go:noinline
func serveBackend(c net.Conn) {
	defer c.Close()
	_, _ = io.Copy(io.Discard, c)
}

func startBackend() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	backend = ln.Addr().String()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serveBackend(c)
		}
	}()
}

// handleCall is fdleak mode's fault: it dials the backend and never closes the connection.
//
//go:noinline
func handleCall(w http.ResponseWriter, r *http.Request) {
	c, err := net.Dial("tcp", backend)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	_, _ = c.Write([]byte("hello\n"))
	if *closeIt {
		c.Close()
	} else {
		keptMu.Lock()
		kept = append(kept, c)
		keptMu.Unlock()
	}
	fmt.Fprintln(w, "called")
}

// chain: the token's path, one goroutine per stage; each hop takes the shared mutex.
var (
	chainMu   sync.Mutex
	chainHead chan chan int
)

//go:noinline
func stage(in <-chan chan int, out chan<- chan int) {
	for reply := range in {
		chainMu.Lock()
		spin(2000)
		chainMu.Unlock()
		out <- reply
	}
}

func startChain(n int) {
	chainHead = make(chan chan int)
	in := chainHead
	for i := 0; i < n; i++ {
		out := make(chan chan int)
		go stage(in, out)
		in = out
	}
	go func() {
		for reply := range in {
			reply <- 1
		}
	}()
}

//go:noinline
func passToken() int {
	reply := make(chan int)
	chainHead <- reply
	return <-reply
}

// chainLoad calls passToken directly, as a request path would: no network in between.
func chainLoad(stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		passToken()
	}
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
		if *mode == "fdleak" {
			time.Sleep(50 * time.Millisecond) // a slow leak: about 20 connections a second per client
		}
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

// pprofMux serves /debug/pprof, for godiag capture --ebpf (the probes join the pprof bundle).
func pprofMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	return mux
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
	case "device":
		device()
		return
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
		// /debug/pprof for capture --ebpf (its CPU profile is the "looks idle" side of starvation);
		// -nopprof: a program without it (godiag run --ebpf probes it all the same).
		if !*noPprof {
			go func() { _ = http.Serve(ln, pprofMux()) }()
		}
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
	case "dials":
		dials(stop)
		return
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	mux := pprofMux()
	mux.HandleFunc("/work", handleWork)
	path := "/work"
	if *mode == "fsync" {
		orders, err = os.Create(filepath.Join(*dir, fmt.Sprintf("orders-%d.log", os.Getpid())))
		must(err)
		defer os.Remove(orders.Name())
		mux.HandleFunc("/order", handleOrder)
		path = "/order"
	}
	if *mode == "fdleak" {
		startBackend()
		mux.HandleFunc("/call", handleCall)
		path = "/call"
	}
	if *mode == "slowio" {
		startDevice(*clients)
		mux.HandleFunc("/record", handleRecord)
		path = "/record"
	}
	for i := 0; i < 4; i++ {
		go worker()
	}
	go func() { _ = http.Serve(ln, mux) }()
	if *mode == "chain" {
		startChain(*stages)
	}
	fmt.Println("listening", ln.Addr())
	fmt.Printf("listening on http://%s\n", ln.Addr())
	for i := 0; i < *clients; i++ {
		if *mode == "chain" {
			go chainLoad(stop)
		} else {
			go load(ln.Addr().String(), path, stop)
		}
	}
	<-stop
}

// dials is the packet-loss test's service: nothing wrong in the program (net.Listen's
// backlog, a goroutine per connection), so retransmits on its port come from the network.
func dials(stop <-chan struct{}) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	fmt.Println("listening", ln.Addr())
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 64)
				if n, err := c.Read(buf); err == nil {
					_, _ = c.Write(buf[:n])
				}
			}()
		}
	}()
	// 16 dialers, each on its own pace: a connection stalled by a lost packet (a SYN
	// retried after 1 s, then 3 s) holds up only its own dialer, so the others keep
	// dialling (~64 connects a second) whatever the losses.
	for i := 0; i < 16; i++ {
		go func() {
			for {
				func() {
					c, err := net.DialTimeout("tcp", ln.Addr().String(), 5*time.Second)
					if err != nil {
						return
					}
					defer c.Close()
					_ = c.SetDeadline(time.Now().Add(5 * time.Second))
					if _, err := c.Write([]byte("ping\n")); err == nil {
						_, _ = io.ReadFull(c, make([]byte, 5))
					}
				}()
				select {
				case <-stop:
					return
				case <-time.After(250 * time.Millisecond):
				}
			}
		}()
	}
	<-stop
}
