// netserver: an HTTP/1.1 (and h2 over TLS) server for godiag's network tests. It prints
// its base URL first. Faults are flags: a small listen backlog with a pause before the
// first Accept (the accept queue overflows), a slow TLS handshake, a slow handler.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	backlog := flag.Int("backlog", 128, "listen(2) backlog")
	pauseAccept := flag.Duration("pause-accept", 0, "wait this long before the first Accept")
	handlerDelay := flag.Duration("delay", 0, "handler sleeps this long")
	tlsDelay := flag.Duration("tls-delay", 0, "TLS handshake waits this long before answering the ClientHello")
	cert := flag.String("cert", "", "TLS certificate (PEM); with -key serves HTTPS (HTTP/2 offered)")
	key := flag.String("key", "", "TLS key (PEM)")
	size := flag.Int("size", 64, "response body bytes (default; ?size=N overrides)")
	blockRate := flag.Int("block-rate", 0, "runtime.SetBlockProfileRate (0: no block profile)")
	holdFds := flag.Int("hold-fds", 0, "open /dev/null this many times and keep the files (fds in use, for the nofile audit)")
	procs := flag.Int("procs", 0, "runtime.GOMAXPROCS (0: the default)")
	spinners := flag.Int("spin", 0, "goroutines spinning on the CPU in the background, outside any request")
	flag.Parse()
	if *procs > 0 {
		runtime.GOMAXPROCS(*procs)
	}
	for i := 0; i < *spinners; i++ {
		go spin()
	}
	var held []*os.File
	for i := 0; i < *holdFds; i++ {
		f, err := os.Open(os.DevNull)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		held = append(held, f)
	}
	defer runtime.KeepAlive(held)
	runtime.SetBlockProfileRate(*blockRate)
	var shared sync.Mutex

	ln, err := listen(*addr, *backlog)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	// /debug/pprof, for godiag capture --pcap
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		n := *size
		if v := r.URL.Query().Get("size"); v != "" {
			n, _ = strconv.Atoi(v)
		}
		// ?burn=D: spin on the CPU this long (the handler's own work), before any sleep
		if d := r.URL.Query().Get("burn"); d != "" {
			if dd, err := time.ParseDuration(d); err == nil {
				burn(dd)
			}
		}
		// ?lock=D: hold one mutex all such requests share for D (the others wait on it)
		if d := r.URL.Query().Get("lock"); d != "" {
			if dd, err := time.ParseDuration(d); err == nil {
				shared.Lock()
				time.Sleep(dd)
				shared.Unlock()
			}
		}
		if d := r.URL.Query().Get("delay"); d != "" {
			if dd, err := time.ParseDuration(d); err == nil {
				time.Sleep(dd)
			}
		} else if *handlerDelay > 0 {
			time.Sleep(*handlerDelay)
		}
		w.Header().Set("Content-Length", strconv.Itoa(n))
		buf := make([]byte, 32<<10)
		for i := range buf {
			buf[i] = 'a' + byte(i%26)
		}
		for n > 0 {
			k := n
			if k > len(buf) {
				k = len(buf)
			}
			w.Write(buf[:k])
			n -= k
		}
	})
	srv := &http.Server{Handler: mux}
	// HTTP/1.1 and HTTP/2: over TLS by ALPN, in clear text by prior knowledge (h2c)
	srv.Protocols = new(http.Protocols)
	srv.Protocols.SetHTTP1(true)
	srv.Protocols.SetHTTP2(true)
	srv.Protocols.SetUnencryptedHTTP2(true)
	scheme := "http"
	if *cert != "" {
		scheme = "https"
		pair, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		srv.TLSConfig = &tls.Config{
			Certificates: []tls.Certificate{pair},
			NextProtos:   []string{"h2", "http/1.1"},
			GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
				time.Sleep(*tlsDelay)
				return nil, nil
			},
		}
	}
	fmt.Printf("%s://%s\n", scheme, ln.Addr())
	if *pauseAccept > 0 {
		time.Sleep(*pauseAccept)
	}
	if scheme == "https" {
		err = srv.ServeTLS(ln, "", "")
	} else {
		err = srv.Serve(ln)
	}
	fmt.Fprintln(os.Stderr, err)
}

var sink uint64

// spin is background work that never waits: it holds a P until the scheduler preempts it.
func spin() {
	for {
		burn(time.Second)
	}
}

// burn spins until d of wall-clock time has passed (CPU work, not a wait).
//
//go:noinline
func burn(d time.Duration) {
	end := time.Now().Add(d)
	x := sink
	for time.Now().Before(end) {
		for i := 0; i < 1000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	sink = x
}

// listen opens a TCP listener with the given backlog (net.Listen always asks for somaxconn).
func listen(addr string, backlog int) (net.Listener, error) {
	tcp, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return nil, err
	}
	family := syscall.AF_INET
	var sa syscall.Sockaddr
	if ip4 := tcp.IP.To4(); ip4 != nil || tcp.IP == nil {
		s4 := &syscall.SockaddrInet4{Port: tcp.Port}
		copy(s4.Addr[:], ip4)
		sa = s4
	} else {
		family = syscall.AF_INET6
		s6 := &syscall.SockaddrInet6{Port: tcp.Port}
		copy(s6.Addr[:], tcp.IP.To16())
		sa = s6
	}
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM, 0)
	if err != nil {
		return nil, err
	}
	syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	if err := syscall.Bind(fd, sa); err != nil {
		return nil, err
	}
	if err := syscall.Listen(fd, backlog); err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "listener")
	defer f.Close()
	return net.FileListener(f)
}
