// Package benchpkg is a tiny benchmark subject for godiag's benchstat
// differential test: two ways to join strings, one allocating per part and one
// with a pre-sized builder, so the two runs differ in sec/op, B/op and allocs/op.
package benchpkg

import "strings"

// JoinNaive concatenates with +, allocating a new string per part.
func JoinNaive(parts []string, sep string) string {
	s := ""
	for i, p := range parts {
		if i > 0 {
			s += sep
		}
		s += p
	}
	return s
}

// JoinBuilder sizes a strings.Builder once.
func JoinBuilder(parts []string, sep string) string {
	n := len(sep) * (len(parts) - 1)
	for _, p := range parts {
		n += len(p)
	}
	var b strings.Builder
	b.Grow(n)
	for i, p := range parts {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(p)
	}
	return b.String()
}
