// backpressure: request handlers hand jobs to a small worker pool through a
// bounded channel; the workers are slower than the arrival rate, so handlers
// spend their time blocked sending into the full queue (chan send in
// main.enqueueJob). Unlike a leak, every send completes eventually: the
// number of blocked senders stays about constant and the block profile shows
// the waits ending.
package main

import (
	"fmt"
	"net/http"
	"time"

	"godiag.test/workloads/internal/faultserver"
)

type job struct {
	id   int
	done chan struct{}
}

var jobs = make(chan job, 8)

// enqueueJob blocks while the queue is full: the back-pressure point.
//
//go:noinline
func enqueueJob(j job) {
	jobs <- j
}

// resizeImage stands for the slow stage downstream.
//
//go:noinline
func resizeImage(j job) {
	time.Sleep(4 * time.Millisecond)
	close(j.done)
}

func worker() {
	for j := range jobs {
		resizeImage(j)
	}
}

func handleUpload(w http.ResponseWriter, r *http.Request) {
	j := job{done: make(chan struct{})}
	enqueueJob(j)
	<-j.done
	fmt.Fprintln(w, "done")
}

func main() {
	s := faultserver.New("backpressure", "channel-backpressure")
	for i := 0; i < 2; i++ {
		go worker()
	}
	s.Mux.HandleFunc("/upload", handleUpload)
	s.Serve()
	s.Run(func() {
		s.Drive(faultserver.Load{
			Clients: 48,
			Client:  &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}},
			Request: func(cl *http.Client, _, _ int) (*http.Response, error) {
				return cl.Post(s.URL+"/upload", "application/octet-stream", nil)
			},
		})
	})
}
