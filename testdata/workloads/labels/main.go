// labels does CPU work and allocations under pprof.Do with several distinct
// label sets (including nested pprof.Do calls that extend the parent's set)
// and keeps labelled goroutines parked at capture time. It exists to
// exercise string labels on CPU samples and goroutine samples (proto and the
// "# labels:" lines in goroutine debug=1 text). Heap/allocs samples carry no
// string labels, only the numeric "bytes" label the runtime always adds.
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"runtime/pprof"
	"strings"
	"sync"

	"godiag.test/workloads/internal/capture"
)

type item struct {
	ID    int               `json:"id"`
	Name  string            `json:"name"`
	Tags  []string          `json:"tags"`
	Attrs map[string]string `json:"attrs"`
}

var (
	sink    int
	payload []byte
	park    = make(chan struct{})
)

func init() {
	items := make([]item, 200)
	for i := range items {
		items[i] = item{ID: i, Name: fmt.Sprintf("item-%d", i), Tags: []string{"x", "y"},
			Attrs: map[string]string{"k": strings.Repeat("v", i%20)}}
	}
	payload, _ = json.Marshal(items)
}

//go:noinline
func parse() {
	var items []item
	if err := json.Unmarshal(payload, &items); err != nil {
		panic(err)
	}
	sink += len(items)
}

//go:noinline
func render() {
	var b strings.Builder
	for i := 0; i < 500; i++ {
		fmt.Fprintf(&b, "<li id=%q>%d</li>\n", "row", i)
	}
	sink += b.Len()
}

//go:noinline
func compress() {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(payload)
	w.Close()
	sink += buf.Len()
}

// unlabeled work, for contrast.
//
//go:noinline
func housekeeping() {
	m := make(map[int]string)
	for i := 0; i < 2000; i++ {
		m[i] = fmt.Sprint(i)
	}
	sink += len(m)
}

// parked goroutines inherit the labels of the context they were started in.
//
//go:noinline
func waitForWork(wg *sync.WaitGroup) {
	defer wg.Done()
	<-park
}

func labelled(ctx context.Context, kv []string, f func(context.Context)) {
	pprof.Do(ctx, pprof.Labels(kv...), f)
}

func main() {
	s := capture.Start()
	ctx := context.Background()
	var parked sync.WaitGroup

	// Each label set gets two parked goroutines (goroutine-profile labels).
	sets := [][]string{
		{"service", "api", "stage", "parse"},
		{"service", "api", "stage", "render"},
		{"service", "batch", "stage", "compress"},
	}
	for _, kv := range sets {
		labelled(ctx, kv, func(ctx context.Context) {
			for i := 0; i < 2; i++ {
				parked.Add(1)
				go waitForWork(&parked)
			}
		})
	}

	var workers sync.WaitGroup
	for s.Running() {
		workers.Add(2)
		go labelled(ctx, sets[0], func(ctx context.Context) {
			defer workers.Done()
			parse()
			// nested Do: inherits service=api,stage=parse and adds tenant.
			labelled(ctx, []string{"tenant", "acme"}, func(context.Context) { parse() })
		})
		go labelled(ctx, sets[1], func(context.Context) {
			defer workers.Done()
			render()
		})
		labelled(ctx, sets[2], func(context.Context) { compress() })
		// overriding a key in a nested Do replaces its value.
		labelled(ctx, sets[2], func(ctx context.Context) {
			labelled(ctx, []string{"stage", "checksum"}, func(context.Context) { compress() })
		})
		housekeeping()
		workers.Wait()
	}

	s.Finish()
	close(park)
	parked.Wait()
}
