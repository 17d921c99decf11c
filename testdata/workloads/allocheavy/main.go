// allocheavy is an allocation-heavy workload. It exists to exercise the
// heap/allocs profiles: many short-lived pointer-rich objects (maps, slices of
// pointers, strings), a retained working set so inuse_* is non-trivial, and a
// few large (>32 KB) allocations that take the large-object path. The memory
// profile rate is lowered to 4096 bytes so the profiles get many samples.
package main

import (
	"bytes"
	"fmt"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"godiag.test/workloads/internal/capture"
)

// Set before main runs so even early allocations are sampled at this rate.
func init() { runtime.MemProfileRate = 4096 }

type record struct {
	id     int
	name   string
	tags   []string
	parent *record
	attrs  map[string]string
}

// retained keeps a bounded working set alive so the heap profile's inuse
// figures are non-zero at capture time.
var retained = make([]*record, 0, 1<<14)

// large keeps a few big buffers alive (large-object allocations).
var large [][]byte

//go:noinline
func newRecord(i int, parent *record) *record {
	r := &record{
		id:     i,
		name:   "rec-" + strconv.Itoa(i),
		parent: parent,
		attrs:  make(map[string]string, 4),
	}
	r.tags = append(r.tags, "a", "b")
	r.attrs["kind"] = fmt.Sprintf("kind-%d", i%7)
	r.attrs["owner"] = strings.Repeat("x", i%13)
	return r
}

//go:noinline
func buildGraph(n int) []*record {
	out := make([]*record, 0, 16) // grows: exercises growslice
	var parent *record
	for i := 0; i < n; i++ {
		r := newRecord(i, parent)
		out = append(out, r)
		if i%8 == 0 {
			parent = r
		}
	}
	return out
}

//go:noinline
func indexByName(rs []*record) map[string]*record {
	m := make(map[string]*record) // grows: exercises map growth
	for _, r := range rs {
		m[r.name] = r
	}
	return m
}

//go:noinline
func render(rs []*record) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.name)
		b.WriteByte(',')
		b.WriteString(r.attrs["kind"])
		b.WriteByte(';')
	}
	return b.String()
}

//go:noinline
func splitFields(s string) []string {
	fs := strings.Split(s, ";")
	sort.Strings(fs)
	return fs
}

//go:noinline
func encode(rs []*record) []byte {
	var buf bytes.Buffer
	for _, r := range rs {
		fmt.Fprintf(&buf, "%d:%s:%v\n", r.id, r.name, r.tags)
	}
	return buf.Bytes()
}

// bigBuffer makes a large (>32 KB) allocation that bypasses size classes.
//
//go:noinline
func bigBuffer(n int) []byte {
	b := make([]byte, n)
	for i := 0; i < len(b); i += 4096 {
		b[i] = byte(i)
	}
	return b
}

//go:noinline
func keep(rs []*record) {
	for _, r := range rs[:len(rs)/16] {
		if len(retained) == cap(retained) {
			copy(retained, retained[len(retained)/2:])
			retained = retained[:len(retained)/2]
		}
		retained = append(retained, r)
	}
}

var sink int

func main() {
	s := capture.Start()

	round := 0
	for s.Running() {
		rs := buildGraph(2000)
		m := indexByName(rs)
		txt := render(rs)
		fs := splitFields(txt)
		enc := encode(rs)
		sink += len(m) + len(fs) + len(enc)
		keep(rs)
		if round%10 == 0 {
			b := bigBuffer(64<<10 + round%3*(128<<10)) // 64 KB .. 320 KB
			if len(large) < 8 {
				large = append(large, b)
			} else {
				large[round/10%8] = b
			}
		}
		round++
	}

	s.Finish()
	runtime.KeepAlive(retained)
	runtime.KeepAlive(large)
}
