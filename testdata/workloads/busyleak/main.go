// busyleak is a CPU-bound image service that also leaks goroutines. Two workers
// resize images flat out in main.resize (its own arithmetic: the service's real
// work, well over half of the CPU). Every job starts main.watchJob, which waits
// for the job's progress channel or its cancel channel; failed jobs (1 in 4) close
// neither, so their watchers stay blocked forever.
//
//	go run . OUTDIR leak|noleak
//
// Writes OUTDIR/cpu.pprof (3 s, across both dumps) and OUTDIR/g1.txt, OUTDIR/g2.txt
// (goroutine?debug=2, 1.5 s apart; "noleak" closes every progress channel).
package main

import (
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"time"
)

var sink uint32

// resize scales a w×h gray image down by 2 with a box filter, in its own loops.
func resize(src []uint8, w, h int) []uint8 {
	dst := make([]uint8, (w/2)*(h/2))
	for y := 0; y < h/2; y++ {
		for x := 0; x < w/2; x++ {
			s := uint32(src[2*y*w+2*x]) + uint32(src[2*y*w+2*x+1]) + uint32(src[(2*y+1)*w+2*x]) + uint32(src[(2*y+1)*w+2*x+1])
			dst[y*(w/2)+x] = uint8(s / 4)
		}
	}
	return dst
}

type job struct {
	progress chan int
	cancel   chan struct{}
}

// watchJob reports a job's progress until the job ends or is cancelled.
func watchJob(j *job) {
	for {
		select {
		case _, ok := <-j.progress:
			if !ok {
				return
			}
		case <-j.cancel:
			return
		}
	}
}

func startJobs(n int, leak bool) {
	for i := 0; i < n; i++ {
		j := &job{progress: make(chan int), cancel: make(chan struct{})}
		go watchJob(j)
		if !leak || i%4 != 0 {
			close(j.progress)
		}
	}
}

func dump(path string) {
	f, err := os.Create(path)
	if err != nil {
		panic(err)
	}
	if err := pprof.Lookup("goroutine").WriteTo(f, 2); err != nil {
		panic(err)
	}
	f.Close()
}

func main() {
	dir, mode := os.Args[1], os.Args[2]
	leak := mode == "leak"
	f, err := os.Create(filepath.Join(dir, "cpu.pprof"))
	if err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		panic(err)
	}
	end := time.Now().Add(3 * time.Second)
	var wg sync.WaitGroup
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			img := make([]uint8, 512*512)
			for i := range img {
				img[i] = uint8(i * 7)
			}
			for time.Now().Before(end) {
				sink += uint32(resize(img, 512, 512)[0])
			}
		}()
	}
	startJobs(80, leak) // 20 watchers left behind
	time.Sleep(500 * time.Millisecond)
	dump(filepath.Join(dir, "g1.txt"))
	startJobs(160, leak) // 40 more
	time.Sleep(1500 * time.Millisecond)
	dump(filepath.Join(dir, "g2.txt"))
	wg.Wait()
	pprof.StopCPUProfile()
	f.Close()
}
