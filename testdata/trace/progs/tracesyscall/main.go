// Command tracesyscall writes an execution trace of a program that spends its time in
// system calls: raw nanosleep calls (blocking syscalls: the P is handed off), writes and
// fsyncs of a file, and blocking reads of a pipe outside the network poller. godiag's
// `trace --pprof=syscall` is compared with go tool trace -pprof=syscall on it.
//
//	tracesyscall TRACE_FILE
package main

import (
	"os"
	"runtime/trace"
	"sync"
	"syscall"
	"time"
)

// sleepSyscall blocks in nanosleep(2) directly, without the Go timer machinery.
func sleepSyscall(until time.Time) {
	ts := syscall.Timespec{Nsec: int64(500 * time.Microsecond)}
	for time.Now().Before(until) {
		syscall.Nanosleep(&ts, nil)
	}
}

// fileWork writes and syncs a temporary file.
func fileWork(dir string, until time.Time) {
	f, err := os.CreateTemp(dir, "tracesyscall-*")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for time.Now().Before(until) {
		if _, err := f.Write(buf); err != nil {
			panic(err)
		}
		if err := f.Sync(); err != nil {
			panic(err)
		}
	}
}

// pipeReader reads a pipe with raw read(2) calls, which block in the kernel.
func pipeReader(fd int, done chan<- struct{}) {
	buf := make([]byte, 64)
	for {
		n, err := syscall.Read(fd, buf)
		if n <= 0 || err != nil {
			close(done)
			return
		}
	}
}

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	dir, err := os.MkdirTemp("", "tracesyscall")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	until := time.Now().Add(500 * time.Millisecond)
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(2)
		go func() { defer wg.Done(); sleepSyscall(until) }()
		go func() { defer wg.Done(); fileWork(dir, until) }()
	}
	done := make(chan struct{})
	go pipeReader(p[0], done)
	msg := []byte("x")
	for time.Now().Before(until) {
		time.Sleep(2 * time.Millisecond)
		syscall.Write(p[1], msg)
	}
	syscall.Close(p[1])
	<-done
	wg.Wait()
	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
