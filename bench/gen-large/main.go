// gen-large writes a large, synthetic but realistic Go CPU profile for
// benchmarking godiag. It uses github.com/google/pprof/profile as an
// independent writer (not the Go runtime's own encoder).
//
//	go run . -o /path/large.pb.gz          # gzipped (default)
//	go run . -raw -o /path/large.pb        # uncompressed proto
//
// Shape (all deterministic for a given -seed):
//   - ~27,000 functions with Go-like names: github.com/acme/svcN/pkg.(*Type).Method,
//     value receivers, closures (.func1), shared libraries, stdlib and runtime.*;
//   - ~120,000 locations (one per call site, 2-7 per function), ~15% with
//     inlined lines (small getters, sync/atomic-ish helpers inlined into callers);
//   - 500,000 samples (default; ~54 MB uncompressed, ~17 MB gzipped) with stacks
//     mostly 10-60 frames deep (avg ~26), built by walking a fixed call graph
//     from a few roots (net/http serve loops, worker goroutines, runtime.main)
//     and ending in common runtime tails (mallocgc, memmove, map access,
//     locks, syscalls); ~4% are short GC-worker stacks (6-7 frames);
//   - Zipf-skewed choices everywhere so a few services, callees and leaves are hot;
//   - two string labels per sample ("handler", "tenant").
package main

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"time"

	"github.com/google/pprof/profile"
)

var (
	outPath  = flag.String("o", "", "output file (required)")
	raw      = flag.Bool("raw", false, "write an uncompressed proto instead of gzip")
	nSamples = flag.Int("samples", 500_000, "number of samples")
	nStacks  = flag.Int("stacks", 0, "if > 0: generate this many samples, then repeat them (uniformly drawn) up to -samples (bench/flame.mjs: 1M samples over ~100k stacks)")
	seed     = flag.Uint64("seed", 20240601, "random seed")
)

const (
	nServices        = 150
	pkgsPerService   = 4
	typesPerPkg      = 5
	methodsPerType   = 7
	freeFuncsPerPkg  = 3
	addrStart        = 0x400000
	samplingPeriodNs = 10_000_000 // 100 Hz, like runtime/pprof
)

var pkgNames = []string{"api", "store", "cache", "codec", "auth", "queue", "billing", "search",
	"index", "router", "session", "metrics", "rpc", "ledger", "feed", "media"}
var typeNames = []string{"Server", "Handler", "Client", "Repo", "Encoder", "Decoder", "Pool",
	"Batcher", "Cursor", "Txn", "Worker", "Resolver", "Planner", "Writer", "Reader"}
var methodNames = []string{"Serve", "Handle", "Get", "Put", "Load", "Flush", "Encode", "Decode",
	"Validate", "Resolve", "Next", "Apply", "Commit", "Lookup", "Scan", "Merge", "Process", "Run"}

type fn struct {
	id       uint64
	name     string
	file     string
	start    int64
	kind     int      // kindApp, kindLib, kindStd, kindRuntime
	svc      int      // service index for app functions, -1 otherwise
	callees  []int    // indices into funcs
	locs     []uint64 // location ids (call sites / PCs) inside this function
	inliners []int    // small helpers that may be inlined into this function
}

const (
	kindApp = iota
	kindLib
	kindStd
	kindRuntime
)

type gen struct {
	r     *rand.Rand
	funcs []*fn
	prof  *profile.Profile
	fnPB  []*profile.Function
	locPB map[uint64]*profile.Location
	next  uint64 // next address

	byKind     [4][]int
	bySvc      [][]int
	svcEntries [][]int // handler-ish entry functions per service
	helpers    []int   // small inlinable functions
	rtTails    [][]int // runtime call chains appended at the leaf (outermost first)
}

// zipf returns an index in [0,n) with P(i) ~ 1/(i+1)^s.
func (g *gen) zipf(n int, s float64) int {
	if n <= 1 {
		return 0
	}
	// inverse-CDF approximation for the continuous power law, clamped.
	u := g.r.Float64()
	if s == 1 {
		return min(n-1, int(math.Exp(u*math.Log(float64(n+1))))-1)
	}
	a := 1 - s
	x := math.Pow(u*(math.Pow(float64(n+1), a)-1)+1, 1/a) - 1
	return min(n-1, max(0, int(x)))
}

func (g *gen) addFunc(name, file string, kind, svc int) int {
	f := &fn{id: uint64(len(g.funcs) + 1), name: name, file: file, kind: kind, svc: svc,
		start: int64(10 + g.r.IntN(900))}
	g.funcs = append(g.funcs, f)
	idx := len(g.funcs) - 1
	g.byKind[kind] = append(g.byKind[kind], idx)
	return idx
}

func (g *gen) buildFunctions() {
	g.bySvc = make([][]int, nServices)
	g.svcEntries = make([][]int, nServices)
	for s := 0; s < nServices; s++ {
		for p := 0; p < pkgsPerService; p++ {
			pkg := pkgNames[(s*7+p*3)%len(pkgNames)]
			if p > 0 && pkgNames[(s*7+(p-1)*3)%len(pkgNames)] == pkg {
				pkg += "v2"
			}
			imp := fmt.Sprintf("github.com/acme/svc%d/%s", s, pkg)
			for t := 0; t < typesPerPkg; t++ {
				typ := typeNames[(s+p*5+t*2)%len(typeNames)]
				file := fmt.Sprintf("%s/%s.go", imp, lower(typ))
				for m := 0; m < methodsPerType; m++ {
					meth := methodNames[(s*3+p+t*5+m*7)%len(methodNames)]
					if m >= len(methodNames)/2 {
						meth += fmt.Sprint(m)
					}
					recv := "(*" + typ + ")"
					if m == methodsPerType-1 {
						recv = typ // value receiver
					}
					name := fmt.Sprintf("%s.%s.%s", imp, recv, meth)
					if m%3 == 2 {
						name += ".func1" // closure inside the method
					}
					i := g.addFunc(name, file, kindApp, s)
					g.bySvc[s] = append(g.bySvc[s], i)
					if p == 0 && t == 0 {
						g.svcEntries[s] = append(g.svcEntries[s], i)
					}
				}
				// small getters: inlining candidates
				h := g.addFunc(fmt.Sprintf("%s.(*%s).get%s", imp, typ, typeNames[(t+3)%len(typeNames)]), file, kindApp, s)
				g.helpers = append(g.helpers, h)
			}
			for k := 0; k < freeFuncsPerPkg; k++ {
				i := g.addFunc(fmt.Sprintf("%s.%s%d", imp, []string{"New", "parse", "init.func", "handle"}[k%4], k), imp+"/util.go", kindApp, s)
				g.bySvc[s] = append(g.bySvc[s], i)
			}
		}
	}
	// shared libraries
	for l := 0; l < 40; l++ {
		imp := fmt.Sprintf("github.com/acme/common/lib%d", l)
		for t := 0; t < 4; t++ {
			typ := typeNames[(l+t)%len(typeNames)]
			for m := 0; m < 6; m++ {
				g.addFunc(fmt.Sprintf("%s.(*%s).%s", imp, typ, methodNames[(l+t*3+m)%len(methodNames)]),
					fmt.Sprintf("%s/%s.go", imp, lower(typ)), kindLib, -1)
			}
		}
	}
	// stdlib
	std := []string{
		"net/http.(*conn).serve", "net/http.serverHandler.ServeHTTP", "net/http.(*ServeMux).ServeHTTP",
		"net/http.HandlerFunc.ServeHTTP", "net/http.(*response).Write", "net/http.(*chunkWriter).Write",
		"bufio.(*Writer).Flush", "bufio.(*Reader).Read", "net.(*conn).Write", "net.(*conn).Read",
		"net.(*netFD).Write", "net.(*netFD).Read", "internal/poll.(*FD).Write", "internal/poll.(*FD).Read",
		"syscall.Write", "syscall.Read", "syscall.write", "syscall.read", "syscall.Syscall",
		"encoding/json.Marshal", "encoding/json.Unmarshal", "encoding/json.(*encodeState).marshal",
		"encoding/json.(*encodeState).reflectValue", "encoding/json.structEncoder.encode",
		"encoding/json.(*decodeState).object", "encoding/json.(*decodeState).value",
		"encoding/json.(*decodeState).literalStore", "encoding/json.checkValid", "encoding/json.(*scanner).step",
		"reflect.Value.Field", "reflect.(*rtype).Elem", "reflect.Value.Interface", "reflect.packEface",
		"fmt.Sprintf", "fmt.(*pp).doPrintf", "fmt.(*pp).printArg", "fmt.(*fmt).fmtInteger",
		"strconv.AppendInt", "strconv.formatBits", "strings.(*Builder).WriteString", "strings.Split",
		"strings.genSplit", "strings.Index", "bytes.(*Buffer).Write", "bytes.(*Buffer).grow",
		"sort.Slice", "sort.pdqsort_func", "sort.insertionSort_func", "slices.SortFunc",
		"sync.(*Mutex).Lock", "sync.(*Mutex).lockSlow", "sync.(*Mutex).Unlock", "sync.(*Pool).Get",
		"sync.(*Pool).Put", "sync.(*RWMutex).RLock", "context.(*cancelCtx).Done", "context.WithTimeout",
		"crypto/sha256.(*digest).Write", "crypto/sha256.block", "crypto/tls.(*Conn).Write",
		"crypto/tls.(*Conn).Read", "crypto/aes.(*aesCipherGCM).Seal", "compress/gzip.(*Writer).Write",
		"compress/flate.(*compressor).deflate", "compress/flate.(*compressor).findMatch",
		"compress/flate.(*huffmanBitWriter).writeBlock", "regexp.(*Regexp).MatchString",
		"regexp.(*Regexp).doExecute", "regexp.(*bitState).tryBacktrack", "time.Now", "time.Since",
		"database/sql.(*DB).QueryContext", "database/sql.(*Rows).Next", "database/sql.(*DB).conn",
		"io.ReadAll", "io.copyBuffer", "os.(*File).Write", "log/slog.(*Logger).Info",
		"log/slog.(*handleState).appendAttr", "unicode/utf8.DecodeRuneInString", "math/big.nat.mul",
	}
	for _, name := range std {
		g.addFunc(name, stdFile(name), kindStd, -1)
	}
	// runtime
	rt := []string{
		"runtime.goexit", "runtime.main", "runtime.mallocgc", "runtime.mallocgcSmallScanNoHeader",
		"runtime.mallocgcSmallNoscan", "runtime.mallocgcLarge", "runtime.nextFreeFast", "runtime.(*mcache).nextFree",
		"runtime.(*mcache).refill", "runtime.(*mcentral).cacheSpan", "runtime.(*mheap).alloc",
		"runtime.memclrNoHeapPointers", "runtime.memmove", "runtime.newobject", "runtime.makeslice",
		"runtime.growslice", "runtime.makemap", "runtime.mapaccess1_faststr", "runtime.mapaccess2",
		"runtime.mapassign_faststr", "runtime.mapassign", "internal/runtime/maps.(*Map).getWithKey",
		"internal/runtime/maps.ctrlGroup.matchH2", "runtime.memhash", "runtime.aeshashbody",
		"runtime.concatstrings", "runtime.concatstring2", "runtime.slicebytetostring", "runtime.stringtoslicebyte",
		"runtime.convT64", "runtime.convTstring", "runtime.assertE2I", "runtime.typeAssert",
		"runtime.gcBgMarkWorker", "runtime.gcDrain", "runtime.scanobject", "runtime.greyobject",
		"runtime.findObject", "runtime.markBits.isMarked", "runtime.(*gcWork).tryGet", "runtime.gcWriteBarrier2",
		"runtime.wbBufFlush", "runtime.bgsweep", "runtime.sweepone", "runtime.(*mspan).sweep",
		"runtime.schedule", "runtime.findRunnable", "runtime.netpoll", "runtime.epollwait",
		"runtime.park_m", "runtime.mcall", "runtime.gopark", "runtime.chansend", "runtime.chansend1",
		"runtime.chanrecv", "runtime.chanrecv1", "runtime.selectgo", "runtime.lock2", "runtime.unlock2",
		"runtime.futex", "runtime.futexsleep", "runtime.futexwakeup", "runtime.notesleep", "runtime.stopm",
		"runtime.usleep", "runtime.osyield", "runtime.procyield", "runtime.semacquire1", "runtime.semrelease1",
		"runtime.nanotime", "runtime.nanotime1", "runtime.walltime", "runtime.morestack", "runtime.newstack",
		"runtime.copystack", "runtime.systemstack", "runtime.deferreturn", "runtime.gcAssistAlloc",
		"runtime.gcAssistAlloc1", "runtime.entersyscall", "runtime.exitsyscall", "runtime.reentersyscall",
		"runtime.(*traceBuf).varint", "runtime.cgocall", "runtime.asmcgocall", "runtime.publicationBarrier",
	}
	for _, name := range rt {
		g.addFunc(name, stdFile(name), kindRuntime, -1)
	}
	// a few more generated runtime/internal functions so there are "runtime.*" long tails
	for i := 0; i < 200; i++ {
		g.addFunc(fmt.Sprintf("runtime.%s%d", []string{"pcvalue", "funcInfo.entry", "step", "findfunc", "(*unwinder).next"}[i%5], i/5),
			fmt.Sprintf("runtime/z%d.go", i%12), kindRuntime, -1)
	}
	g.addFunc("main.main", "github.com/acme/server/cmd/acme-server/main.go", kindApp, -1)
	g.helpers = append(g.helpers, g.lookup("sync.(*Mutex).Lock"), g.lookup("sync.(*Mutex).Unlock"),
		g.lookup("context.(*cancelCtx).Done"), g.lookup("unicode/utf8.DecodeRuneInString"),
		g.lookup("runtime.nextFreeFast"), g.lookup("runtime.markBits.isMarked"),
		g.lookup("internal/runtime/maps.ctrlGroup.matchH2"), g.lookup("runtime.nanotime"))
}

// rtCallable lists the runtime functions that may appear as callees: all of
// them except goroutine entry points, in declaration order (hot ones first).
func (g *gen) rtCallable() []int {
	var out []int
	for _, i := range g.byKind[kindRuntime] {
		switch g.funcs[i].name {
		case "runtime.goexit", "runtime.main", "runtime.gcBgMarkWorker", "runtime.bgsweep":
			continue
		}
		out = append(out, i)
	}
	return out
}

func (g *gen) lookup(name string) int {
	for i, f := range g.funcs {
		if f.name == name {
			return i
		}
	}
	panic("no function " + name)
}

func lower(s string) string {
	b := []byte(s)
	if len(b) > 0 && b[0] >= 'A' && b[0] <= 'Z' {
		b[0] += 'a' - 'A'
	}
	return string(b)
}

// stdFile derives a plausible GOROOT file for a stdlib/runtime function name.
func stdFile(name string) string {
	pkg := name
	for i := 0; i < len(name); i++ {
		if name[i] == '.' {
			// package path ends at the first '.' after the last '/'
			slash := -1
			for j := 0; j < len(name); j++ {
				if name[j] == '/' {
					slash = j
				}
			}
			if i > slash {
				pkg = name[:i]
				break
			}
		}
	}
	base := pkg
	for j := len(pkg) - 1; j >= 0; j-- {
		if pkg[j] == '/' {
			base = pkg[j+1:]
			break
		}
	}
	return "/usr/local/go/src/" + pkg + "/" + base + ".go"
}

// buildCallGraph gives every function a fixed list of callees.
func (g *gen) buildCallGraph() {
	lib, std := g.byKind[kindLib], g.byKind[kindStd]
	rt := g.rtCallable()
	for _, f := range g.funcs {
		if f.svc < 0 && f.kind == kindApp { // main.main: starts the servers
			f.callees = append(f.callees, g.svcEntries[0]...)
			continue
		}
		n := 2 + g.r.IntN(5)
		for k := 0; k < n; k++ {
			var c int
			switch f.kind {
			case kindApp:
				switch x := g.r.IntN(100); {
				case x < 72:
					own := g.bySvc[f.svc]
					c = own[g.r.IntN(len(own))]
				case x < 82:
					// cross-service client call, skewed towards popular services
					s := g.zipf(nServices, 1.1)
					c = g.bySvc[s][g.r.IntN(len(g.bySvc[s]))]
				case x < 92:
					c = lib[g.r.IntN(len(lib))]
				default:
					c = std[g.zipf(len(std), 0.9)]
				}
			case kindLib:
				if g.r.IntN(3) == 0 {
					c = lib[g.r.IntN(len(lib))]
				} else {
					c = std[g.zipf(len(std), 0.9)]
				}
			case kindStd:
				if g.r.IntN(4) == 0 {
					c = rt[g.zipf(len(rt), 0.8)]
				} else {
					c = std[g.r.IntN(len(std))]
				}
			case kindRuntime:
				c = rt[g.r.IntN(len(rt))]
			}
			if g.funcs[c] != f {
				f.callees = append(f.callees, c)
			}
		}
		if len(f.callees) == 0 {
			f.callees = append(f.callees, rt[0]) // never leave a function without callees
		}
	}
	// Runtime tails: realistic leaf chains, outermost first.
	chains := [][]string{
		{"runtime.newobject", "runtime.mallocgc", "runtime.mallocgcSmallScanNoHeader", "runtime.nextFreeFast"},
		{"runtime.makeslice", "runtime.mallocgc", "runtime.mallocgcSmallNoscan", "runtime.(*mcache).nextFree", "runtime.(*mcache).refill", "runtime.(*mcentral).cacheSpan", "runtime.(*mheap).alloc", "runtime.systemstack"},
		{"runtime.growslice", "runtime.mallocgc", "runtime.mallocgcLarge", "runtime.memclrNoHeapPointers"},
		{"runtime.growslice", "runtime.memmove"},
		{"runtime.mapaccess1_faststr", "internal/runtime/maps.(*Map).getWithKey", "runtime.aeshashbody"},
		{"runtime.mapassign_faststr", "runtime.aeshashbody"},
		{"runtime.concatstrings", "runtime.mallocgc", "runtime.mallocgcSmallNoscan"},
		{"runtime.slicebytetostring", "runtime.memmove"},
		{"runtime.convTstring", "runtime.mallocgc", "runtime.gcAssistAlloc", "runtime.systemstack", "runtime.gcAssistAlloc1", "runtime.gcDrain", "runtime.scanobject", "runtime.findObject"},
		{"runtime.selectgo", "runtime.lock2", "runtime.procyield"},
		{"runtime.chansend1", "runtime.chansend", "runtime.lock2", "runtime.futex"},
		{"runtime.morestack", "runtime.newstack", "runtime.copystack", "runtime.memmove"},
		{"runtime.entersyscall", "runtime.reentersyscall"},
		{"runtime.typeAssert", "runtime.assertE2I"},
		{"runtime.nanotime"},
		{"runtime.memmove"},
		{"runtime.gcWriteBarrier2", "runtime.wbBufFlush", "runtime.systemstack"},
	}
	for _, ch := range chains {
		var t []int
		for _, name := range ch {
			t = append(t, g.lookup(name))
		}
		g.rtTails = append(g.rtTails, t)
	}
	// Inlining candidates for ~15% of functions.
	for _, f := range g.funcs {
		if f.kind != kindRuntime && g.r.IntN(100) < 30 {
			f.inliners = append(f.inliners, g.helpers[g.r.IntN(len(g.helpers))])
			if g.r.IntN(3) == 0 {
				f.inliners = append(f.inliners, g.helpers[g.r.IntN(len(g.helpers))])
			}
		}
	}
}

// buildProfileSkeleton creates the mapping, functions and locations.
func (g *gen) buildProfileSkeleton() {
	m := &profile.Mapping{ID: 1, Start: addrStart, File: "/usr/local/bin/acme-server",
		BuildID: "f0e1d2c3b4a5968778695a4b3c2d1e0f00112233", HasFunctions: true,
		HasFilenames: true, HasLineNumbers: true, HasInlineFrames: true}
	vdso := &profile.Mapping{ID: 2, Start: 0x7ffd5e1f0000, Limit: 0x7ffd5e1f2000, File: "[vdso]",
		BuildID: "", HasFunctions: true}
	g.prof.Mapping = []*profile.Mapping{m, vdso}
	g.fnPB = make([]*profile.Function, len(g.funcs))
	for i, f := range g.funcs {
		pf := &profile.Function{ID: f.id, Name: f.name, SystemName: f.name, Filename: f.file, StartLine: f.start}
		g.fnPB[i] = pf
		g.prof.Function = append(g.prof.Function, pf)
	}
	g.locPB = make(map[uint64]*profile.Location)
	g.next = addrStart + 0x1000
	locID := uint64(1)
	for i, f := range g.funcs {
		n := max(len(f.callees), 1) + g.r.IntN(2) // call sites + a leaf PC or two
		line := f.start + 2
		for k := 0; k < n; k++ {
			line += int64(1 + g.r.IntN(12))
			addr := g.next + uint64(g.r.IntN(0x30))
			g.next += 0x40 + uint64(g.r.IntN(0x100))
			loc := &profile.Location{ID: locID, Mapping: m, Address: addr}
			// Inlined lines come first (innermost), the physical function last.
			if len(f.inliners) > 0 && g.r.IntN(2) == 0 {
				for j := len(f.inliners) - 1; j >= 0; j-- {
					h := g.funcs[f.inliners[j]]
					loc.Line = append(loc.Line, profile.Line{Function: g.fnPB[f.inliners[j]], Line: h.start + int64(1+g.r.IntN(4))})
				}
			}
			loc.Line = append(loc.Line, profile.Line{Function: g.fnPB[i], Line: line})
			g.prof.Location = append(g.prof.Location, loc)
			g.locPB[locID] = loc
			f.locs = append(f.locs, locID)
			locID++
		}
	}
	m.Limit = (g.next + 0xfff) &^ 0xfff
	// one vdso frame for clock reads
	vf := &profile.Function{ID: uint64(len(g.funcs) + 1), Name: "__vdso_clock_gettime", SystemName: "__vdso_clock_gettime"}
	g.prof.Function = append(g.prof.Function, vf)
	vl := &profile.Location{ID: locID, Mapping: vdso, Address: 0x7ffd5e1f0a35, Line: []profile.Line{{Function: vf}}}
	g.prof.Location = append(g.prof.Location, vl)
	g.locPB[locID] = vl
}

// callSite returns the location in f used to call its k-th callee.
func (f *fn) callSite(k int) uint64 { return f.locs[k%len(f.locs)] }

func (g *gen) buildSamples(n int) {
	goexit := g.lookup("runtime.goexit")
	roots := [][]int{
		{goexit, g.lookup("net/http.(*conn).serve"), g.lookup("net/http.serverHandler.ServeHTTP"),
			g.lookup("net/http.(*ServeMux).ServeHTTP"), g.lookup("net/http.HandlerFunc.ServeHTTP")},
		{goexit}, // worker goroutines started by a service
		{goexit, g.lookup("runtime.main"), g.lookup("main.main")},
	}
	gcRoot := []int{goexit, g.lookup("runtime.gcBgMarkWorker"), g.lookup("runtime.systemstack"),
		g.lookup("runtime.gcDrain"), g.lookup("runtime.scanobject")}
	var gcTails [][]int
	for _, ch := range [][]string{
		{"runtime.greyobject"},
		{"runtime.findObject"},
		{"runtime.greyobject", "runtime.markBits.isMarked"},
		{"runtime.(*gcWork).tryGet"},
		{"runtime.greyobject", "runtime.findObject"},
	} {
		var t []int
		for _, name := range ch {
			t = append(t, g.lookup(name))
		}
		gcTails = append(gcTails, t)
	}
	nanotime := g.lookup("runtime.nanotime")
	vdsoLoc := g.prof.Location[len(g.prof.Location)-1]
	const tenants = 60
	labelCache := map[[2]int]map[string][]string{}
	var stack []int // function indices, root first
	var site []int  // site[j]: callee slot stack[j] used to call stack[j+1], -1 if not from the graph
	push := func(fi, slot int) {
		if len(stack) > 0 {
			site[len(site)-1] = slot
		}
		stack = append(stack, fi)
		site = append(site, -1)
	}
	for i := 0; i < n; i++ {
		stack, site = stack[:0], site[:0]
		svc := g.zipf(nServices, 1.05)
		var value int64 = 1
		if g.r.IntN(20) == 0 {
			value = int64(2 + g.zipf(30, 1.5)) // identical stacks merged
		}
		depth := 10 + int(50*math.Pow(g.r.Float64(), 1.3)) // 10..60, mean ~31
		if g.r.IntN(100) < 4 {
			// GC worker: short runtime-only stack (6-8 frames, as in real profiles).
			for _, fi := range gcRoot {
				push(fi, -1)
			}
			for _, fi := range gcTails[g.zipf(len(gcTails), 1.0)] {
				push(fi, -1)
			}
		} else {
			for _, fi := range roots[g.zipf(len(roots), 1.0)] {
				push(fi, -1)
			}
			entries := g.svcEntries[svc]
			push(entries[g.zipf(len(entries), 1.0)], -1)
			tail := g.rtTails[g.zipf(len(g.rtTails), 1.1)]
			if g.r.IntN(4) == 0 {
				tail = nil // leaf in user code
			}
		walk:
			for len(stack)+len(tail) < depth {
				cur := g.funcs[stack[len(stack)-1]]
				k := g.zipf(len(cur.callees), 1.2)
				// Stay out of the runtime until the target depth is reached;
				// once there, the runtime tail ends the stack.
				for tries := 0; g.funcs[cur.callees[k]].kind == kindRuntime; tries++ {
					if tries == len(cur.callees) {
						break walk
					}
					k = (k + 1) % len(cur.callees)
				}
				push(cur.callees[k], k)
			}
			for _, fi := range tail {
				push(fi, -1)
			}
		}
		// Location ids, leaf first (as in the proto).
		sm := &profile.Sample{Value: []int64{value, value * samplingPeriodNs}}
		leafIdx := stack[len(stack)-1]
		if leafIdx == nanotime && g.r.IntN(2) == 0 {
			sm.Location = append(sm.Location, vdsoLoc)
		}
		leaf := g.funcs[leafIdx]
		sm.Location = append(sm.Location, g.locPB[leaf.locs[g.zipf(len(leaf.locs), 1.0)]])
		for j := len(stack) - 2; j >= 0; j-- {
			k := site[j]
			if k < 0 {
				k = j + stack[j+1] // stable call site for fixed root/tail chains
			}
			sm.Location = append(sm.Location, g.locPB[g.funcs[stack[j]].callSite(k)])
		}
		t := g.zipf(tenants, 1.3)
		key := [2]int{svc, t}
		lbl, ok := labelCache[key]
		if !ok {
			lbl = map[string][]string{
				"handler": {fmt.Sprintf("/api/v1/svc%d/%s", svc, lower(methodNames[svc%len(methodNames)]))},
				"tenant":  {fmt.Sprintf("tenant-%03d", t)},
			}
			labelCache[key] = lbl
		}
		sm.Label = lbl
		g.prof.Sample = append(g.prof.Sample, sm)
	}
}

func main() {
	flag.Parse()
	if *outPath == "" {
		fmt.Fprintln(os.Stderr, "usage: go run . -o FILE [-raw] [-samples N] [-seed S]")
		os.Exit(2)
	}
	t0 := time.Now()
	g := &gen{r: rand.New(rand.NewPCG(*seed, *seed^0x9e3779b97f4a7c15))}
	g.prof = &profile.Profile{
		SampleType:    []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType:    &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:        samplingPeriodNs,
		TimeNanos:     time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC).UnixNano(),
		DurationNanos: int64(60 * time.Second),
		Comments:      []string{"synthetic profile generated by godiag bench/gen-large"},
	}
	g.buildFunctions()
	g.buildCallGraph()
	g.buildProfileSkeleton()
	if *nStacks > 0 && *nStacks < *nSamples {
		g.buildSamples(*nStacks)
		for i := *nStacks; i < *nSamples; i++ {
			src := g.prof.Sample[g.r.IntN(*nStacks)]
			g.prof.Sample = append(g.prof.Sample, &profile.Sample{Value: append([]int64(nil), src.Value...), Location: src.Location, Label: src.Label})
		}
	} else {
		g.buildSamples(*nSamples)
	}
	if err := g.prof.CheckValid(); err != nil {
		fmt.Fprintln(os.Stderr, "invalid profile:", err)
		os.Exit(1)
	}

	f, err := os.Create(*outPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if *raw {
		err = g.prof.WriteUncompressed(f)
	} else {
		err = g.prof.Write(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	st, _ := os.Stat(*outPath)
	inl, maxDepth, sumDepth, minDepth, shallow := 0, 0, 0, 1<<30, 0
	for _, l := range g.prof.Location {
		if len(l.Line) > 1 {
			inl++
		}
	}
	for _, s := range g.prof.Sample {
		maxDepth = max(maxDepth, len(s.Location))
		minDepth = min(minDepth, len(s.Location))
		if len(s.Location) < 10 {
			shallow++
		}
		sumDepth += len(s.Location)
	}
	fmt.Fprintf(os.Stderr, "wrote %s: %d bytes (%s), %d samples, %d locations (%d with inlined lines), %d functions, %d mappings, stack depth min %d avg %.1f max %d (%.1f%% under 10), in %s\n",
		*outPath, st.Size(), map[bool]string{true: "uncompressed", false: "gzip"}[*raw],
		len(g.prof.Sample), len(g.prof.Location), inl, len(g.prof.Function), len(g.prof.Mapping),
		minDepth, float64(sumDepth)/float64(len(g.prof.Sample)), maxDepth,
		100*float64(shallow)/float64(len(g.prof.Sample)), time.Since(t0).Round(time.Millisecond))
}
