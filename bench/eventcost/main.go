// eventcost times the events the eBPF probes fire on, in a loop that does nothing
// else, for bench/ebpf-event-cost.mjs: with a probe attached, the extra time per
// iteration is the probe's cost per event, paid by the traced thread.
//
//	eventcost -what syscall -seconds 1   getppid(2) in a loop: ns per syscall
//	eventcost -what switch  -seconds 1   two threads ping-pong a byte over pipes:
//	                                     ns per round trip (2 wake-ups, 2 switches
//	                                     out to sleep, 4 syscalls)
//	eventcost -what park    -seconds 1   two goroutines ping-pong over unbuffered
//	                                     channels on one P: ns per round trip (2 parks)
//
// It prints "ready PID" and waits for a line on stdin before each measurement, so the
// caller can attach probes first; then prints one JSON line {"what":..,"n":..,"ns":..,"cpuNs":..}
// per measurement (wall and CPU ns per iteration, its start and end, unix ms) and exits at EOF.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"time"
)

func main() {
	what := flag.String("what", "syscall", "syscall | switch | park")
	secs := flag.Float64("seconds", 1, "how long each measurement runs (at most 10)")
	flag.Parse()
	if *secs <= 0 || *secs > 10 {
		fmt.Fprintln(os.Stderr, "-seconds must be in (0, 10]")
		os.Exit(2)
	}
	runtime.GOMAXPROCS(1)
	d := time.Duration(*secs * float64(time.Second))
	fmt.Printf("ready %d\n", os.Getpid())
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		var n int
		var el time.Duration
		t0 := time.Now()
		c0 := cpuTime()
		switch *what {
		case "syscall":
			n, el = loopSyscall(d)
		case "switch":
			n, el = loopSwitch(d)
		case "park":
			n, el = loopPark(d)
		default:
			fmt.Fprintln(os.Stderr, "unknown -what")
			os.Exit(2)
		}
		cpu := cpuTime() - c0
		b, _ := json.Marshal(map[string]any{"what": *what, "n": n, "ns": float64(el.Nanoseconds()) / float64(n), "cpuNs": float64(cpu.Nanoseconds()) / float64(n), "startMs": t0.UnixMilli(), "endMs": time.Now().UnixMilli()})
		fmt.Println(string(b))
	}
}

func loopSyscall(d time.Duration) (int, time.Duration) {
	start := time.Now()
	n := 0
	for time.Since(start) < d {
		for i := 0; i < 1000; i++ {
			syscall.Getppid()
		}
		n += 1000
	}
	return n, time.Since(start)
}

// loopSwitch: the other thread blocks in read(2) on one pipe, this one on the other;
// a byte goes back and forth, so each side sleeps and is woken once per round trip.
func loopSwitch(d time.Duration) (int, time.Duration) {
	var a, b [2]int
	if err := syscall.Pipe(a[:]); err != nil {
		panic(err)
	}
	if err := syscall.Pipe(b[:]); err != nil {
		panic(err)
	}
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		buf := []byte{0}
		for {
			if _, err := syscall.Read(a[0], buf); err != nil || buf[0] == 1 {
				close(done)
				return
			}
			_, _ = syscall.Write(b[1], buf)
		}
	}()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	buf := []byte{0}
	start := time.Now()
	n := 0
	for time.Since(start) < d {
		for i := 0; i < 100; i++ {
			_, _ = syscall.Write(a[1], buf)
			_, _ = syscall.Read(b[0], buf)
		}
		n += 100
	}
	el := time.Since(start)
	_, _ = syscall.Write(a[1], []byte{1})
	<-done
	for _, fd := range []int{a[0], a[1], b[0], b[1]} {
		syscall.Close(fd)
	}
	return n, el
}

func loopPark(d time.Duration) (int, time.Duration) {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
	}()
	start := time.Now()
	n := 0
	for time.Since(start) < d {
		for i := 0; i < 1000; i++ {
			ping <- i
			<-pong
		}
		n += 1000
	}
	el := time.Since(start)
	close(ping)
	return n, el
}

// cpuTime is the process's CPU time (user + system, every thread): unlike wall time it
// does not grow while other work on a shared machine has the CPU, so a probe's cost per
// event stands out from the noise of a loaded machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
