// manygoroutines parks ~2,000 goroutines in many different wait states and
// then writes the goroutine profiles while they are parked. It exists to
// exercise goroutine profile parsing (proto, debug=1 aggregated text, and
// debug=2 per-goroutine traces with wait reasons), large sample counts and
// "created by" frames. States: chan receive / send, nil chan, select,
// select (no cases), sleep, sync.Mutex.Lock, sync.RWMutex.RLock / Lock,
// sync.WaitGroup.Wait, sync.Cond.Wait, IO wait on 127.0.0.1 TCP conns,
// deep recursion parked on a channel, plus two runnable spinners.
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"godiag.test/workloads/internal/capture"
)

var (
	never   = make(chan int) // nothing is ever sent on it
	noRecv  = make(chan int) // nothing ever receives from it
	jobs    = make(chan int, 16)
	release = make(chan struct{})
	mu      sync.Mutex
	rwRead  sync.RWMutex // write-locked by main: RLock waiters park
	rwWrite sync.RWMutex // read-locked by main: Lock waiters park
	wgHeld  sync.WaitGroup
	condMu  sync.Mutex
	cond    = sync.NewCond(&condMu)
	stopped atomic.Bool
	sink    atomic.Uint64
)

//go:noinline
func recvWorker() { <-never }

//go:noinline
func sendWorker(i int) { noRecv <- i }

//go:noinline
func nilChanWorker() {
	var c chan int
	<-c
}

//go:noinline
func selectWorker(i int, tick <-chan time.Time) {
	for {
		select {
		case <-never:
		case <-release:
			return
		case <-tick:
			sink.Add(uint64(i))
		}
	}
}

// poolWorker is an idle worker-pool member ranging over an empty job queue.
//
//go:noinline
func poolWorker() {
	for j := range jobs {
		sink.Add(uint64(j))
	}
}

//go:noinline
func selectForever() { select {} }

//go:noinline
func sleeper(d time.Duration) { time.Sleep(d) }

//go:noinline
func mutexWaiter() {
	mu.Lock()
	mu.Unlock()
}

//go:noinline
func rlockWaiter() {
	rwRead.RLock()
	rwRead.RUnlock()
}

//go:noinline
func lockWaiter() {
	rwWrite.Lock()
	rwWrite.Unlock()
}

//go:noinline
func wgWaiter() { wgHeld.Wait() }

//go:noinline
func condWaiter() {
	condMu.Lock()
	for !stopped.Load() {
		cond.Wait()
	}
	condMu.Unlock()
}

// deep recurses n frames and then parks, giving long goroutine stacks.
//
//go:noinline
func deep(n int) int {
	if n == 0 {
		<-release
		return 0
	}
	return deep(n-1) + 1
}

// readLoop/serveConn park in netpoll "IO wait".
//
//go:noinline
func readLoop(c net.Conn) {
	buf := make([]byte, 512)
	for {
		if _, err := c.Read(buf); err != nil {
			return
		}
	}
}

//go:noinline
func serveConn(c net.Conn) { readLoop(c) }

//go:noinline
func acceptLoop(ln net.Listener, accepted chan<- net.Conn) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		accepted <- c
	}
}

//go:noinline
func spinner() {
	var x uint64 = 1
	for !stopped.Load() {
		for i := 0; i < 1<<16; i++ {
			x = x*2862933555777941757 + 3037000493
		}
		sink.Add(x)
		runtime.Gosched()
	}
}

func spawn(n int, f func(i int)) {
	for i := 0; i < n; i++ {
		go f(i)
	}
}

func main() {
	s := capture.Start()

	// Hold the locks so waiters park.
	mu.Lock()
	rwRead.Lock()
	rwWrite.RLock()
	wgHeld.Add(1)

	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()

	// Counts are tuned so goroutine.debug2.txt stays under 1 MB.
	spawn(300, func(int) { recvWorker() })
	spawn(150, func(i int) { poolWorker() })
	spawn(150, func(i int) { sendWorker(i) })
	spawn(20, func(int) { nilChanWorker() })
	spawn(250, func(i int) { selectWorker(i, tick.C) })
	spawn(20, func(int) { selectForever() })
	spawn(300, func(i int) { sleeper(time.Hour + time.Duration(i)*time.Millisecond) })
	spawn(200, func(int) { mutexWaiter() })
	spawn(100, func(int) { rlockWaiter() })
	// Only the first writer waits in RWMutex.Lock itself; the rest queue on
	// the RWMutex's internal writer Mutex (state "sync.Mutex.Lock").
	spawn(20, func(int) { lockWaiter() })
	spawn(200, func(int) { wgWaiter() })
	spawn(100, func(int) { condWaiter() })
	spawn(60, func(i int) { deep(8 + i%24) })

	// 64 loopback TCP connection pairs; both ends have a reader parked.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(1)
	}
	accepted := make(chan net.Conn)
	go acceptLoop(ln, accepted)
	var conns []net.Conn
	for i := 0; i < 64; i++ {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			fmt.Fprintln(os.Stderr, "dial:", err)
			os.Exit(1)
		}
		sc := <-accepted
		conns = append(conns, c, sc)
		go readLoop(c)
		go serveConn(sc)
	}

	go spinner()
	go spinner()

	// Let everything park; keep a little traffic on some connections.
	for s.Running() {
		for i := 0; i < len(conns); i += 8 {
			io.WriteString(conns[i], "ping\n")
		}
		time.Sleep(20 * time.Millisecond)
	}

	fmt.Fprintln(os.Stderr, "manygoroutines: goroutines at capture:", runtime.NumGoroutine())
	s.Finish() // goroutine profiles are written here, with everything parked

	stopped.Store(true)
	ln.Close()
	for _, c := range conns {
		c.Close()
	}
}
