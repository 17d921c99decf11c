// cpubound is a CPU-bound workload. It exists to exercise:
//   - locations with several inlined lines (small helpers called in hot loops,
//     inlined two and three levels deep into their callers);
//   - deep and mutually recursive stacks (recursive fib, a recursive-descent
//     parser over 40-deep nested expressions, a recursive tree walk);
//   - stdlib hot spots (sort, crypto/sha256 assembly, map hashing).
package main

import (
	"crypto/sha256"
	"sort"

	"godiag.test/workloads/internal/capture"
)

var sink uint64

// --- inlined helpers -------------------------------------------------------

// mix is a leaf small enough to be inlined everywhere.
func mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	return x
}

// rotl is another inlinable leaf.
func rotl(x uint64, k uint) uint64 { return x<<k | x>>(64-k) }

// step inlines mix and rotl, and is itself inlined into hashLoop, so a sample
// inside mix has a location with three lines: mix, step, hashLoop.
func step(acc, v uint64) uint64 { return rotl(acc^mix(v), 27) * 5 }

// clamp is inlined into scoreLoop.
func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

//go:noinline
func hashLoop(n int) uint64 {
	var acc uint64 = 1
	for i := 0; i < n; i++ {
		acc = step(acc, uint64(i))
	}
	return acc
}

//go:noinline
func scoreLoop(xs []int) int {
	total := 0
	for i, x := range xs {
		total += clamp(x*i%1000-500, -100, 100)
	}
	return total
}

// --- recursion ------------------------------------------------------------

//go:noinline
func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

// A recursive-descent parser for expressions like ((((1+2)*3)+...)).
// parseExpr -> parseTerm -> parseFactor -> parseExpr gives mutual recursion
// 3*depth frames deep.
type parser struct {
	s   string
	pos int
}

//go:noinline
func (p *parser) parseExpr() int {
	v := p.parseTerm()
	for p.pos < len(p.s) && p.s[p.pos] == '+' {
		p.pos++
		v += p.parseTerm()
	}
	return v
}

//go:noinline
func (p *parser) parseTerm() int {
	v := p.parseFactor()
	for p.pos < len(p.s) && p.s[p.pos] == '*' {
		p.pos++
		v = (v * p.parseFactor()) % 1000003
	}
	return v
}

//go:noinline
func (p *parser) parseFactor() int {
	if p.s[p.pos] == '(' {
		p.pos++
		v := p.parseExpr()
		p.pos++ // ')'
		return v
	}
	v := 0
	for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
		v = v*10 + int(p.s[p.pos]-'0')
		p.pos++
	}
	return v
}

func nested(depth int) string {
	s := "7"
	for i := 0; i < depth; i++ {
		s = "(" + s + "+3*" + "11" + ")"
	}
	return s
}

// tree is a right-leaning binary tree about 48 levels deep.
type tree struct {
	left, right *tree
	val         uint64
}

func build(depth int, seed uint64) *tree {
	if depth == 0 {
		return nil
	}
	t := &tree{val: mix(seed)}
	t.right = build(depth-1, seed+1)
	if depth%4 == 0 {
		t.left = build(depth/6, seed*3)
	}
	return t
}

//go:noinline
func walk(t *tree, acc uint64) uint64 {
	if t == nil {
		return acc
	}
	acc = step(acc, t.val) // inlined into the recursive frame
	acc = walk(t.left, acc)
	return walk(t.right, acc)
}

// --- stdlib hot spots -----------------------------------------------------

//go:noinline
func sortRound(xs []int) {
	for i := range xs {
		xs[i] = int(mix(uint64(i)) % 100000)
	}
	sort.Ints(xs)
}

//go:noinline
func digestRound(buf []byte) [32]byte {
	return sha256.Sum256(buf)
}

//go:noinline
func mapRound(m map[uint64]int, n int) {
	for i := 0; i < n; i++ {
		m[mix(uint64(i))%4096]++
	}
}

func main() {
	s := capture.Start()

	xs := make([]int, 4000)
	buf := make([]byte, 64<<10)
	m := make(map[uint64]int)
	expr := nested(40)
	root := build(48, 1)

	for s.Running() {
		sink += hashLoop(200000)
		sink += uint64(scoreLoop(xs))
		sink += uint64(fib(27)) // 27 frames deep
		for i := 0; i < 200; i++ {
			p := &parser{s: expr}
			sink += uint64(p.parseExpr())
		}
		for i := 0; i < 2000; i++ {
			sink += walk(root, uint64(i))
		}
		sortRound(xs)
		d := digestRound(buf)
		sink += uint64(d[0])
		mapRound(m, 50000)
	}

	s.Finish()
}
