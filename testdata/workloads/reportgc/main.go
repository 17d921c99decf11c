// reportgc serves /report, which summarises a day of readings. In "alloc" mode
// main.buildReport builds them as a fresh linked tree of small heap objects on every
// request, with a label string each (about 1.3 MB of pointer-rich garbage a request,
// over a live heap of a few hundred KB), so the GC runs every few requests whatever
// the load; in "pooled" mode the same report is rendered from the values straight
// into a reused buffer (no garbage).
//
//	prog alloc|pooled     prints its base URL, then serves (net/http/pprof included)
package main

import (
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"strconv"
	"sync"
)

const readingsPerReport = 20000

type reading struct {
	sensor int
	value  float64
	label  string
	next   *reading
}

// buildReport makes every reading its own heap object, with its own label string,
// linked in a list, then renders them into a buffer grown from nothing.
func buildReport(seed int) []byte {
	var head *reading
	for i := 0; i < readingsPerReport; i++ {
		s := (seed + i) % 64
		head = &reading{sensor: s, value: float64((seed*31+i)%1000) / 10, label: "sensor-" + strconv.Itoa(s), next: head}
	}
	var out []byte
	for r := head; r != nil; r = r.next {
		if r.sensor%3 == 0 {
			out = append(out, r.label...)
			out = append(out, '=')
			out = strconv.AppendFloat(out, r.value, 'f', 1, 64)
			out = append(out, '\n')
		}
	}
	return out
}

var labels = func() []string {
	l := make([]string, 64)
	for i := range l {
		l[i] = "sensor-" + strconv.Itoa(i)
	}
	return l
}()

var buffers = sync.Pool{New: func() any { return new([]byte) }}

// pooledReport renders the same report straight from the readings' values into a
// reused buffer: no object per reading, no buffer grown from nothing.
func pooledReport(seed int, w io.Writer) {
	bp := buffers.Get().(*[]byte)
	defer buffers.Put(bp)
	out := (*bp)[:0]
	for i := readingsPerReport - 1; i >= 0; i-- {
		s := (seed + i) % 64
		if s%3 == 0 {
			out = append(out, labels[s]...)
			out = append(out, '=')
			out = strconv.AppendFloat(out, float64((seed*31+i)%1000)/10, 'f', 1, 64)
			out = append(out, '\n')
		}
	}
	*bp = out
	fmt.Fprintf(w, "%d bytes, crc %08x\n", len(out), crc32.ChecksumIEEE(out))
}

func main() {
	mode := os.Args[1]
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	var seq int
	var mu sync.Mutex
	http.HandleFunc("/report", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seq++
		seed := seq
		mu.Unlock()
		if mode == "alloc" {
			out := buildReport(seed)
			fmt.Fprintf(w, "%d bytes, crc %08x\n", len(out), crc32.ChecksumIEEE(out))
		} else {
			pooledReport(seed, w)
		}
	})
	fmt.Println("http://" + ln.Addr().String())
	panic(http.Serve(ln, nil))
}
