// Command oracle reads a Go execution trace with golang.org/x/exp/trace (the reference
// parser) and prints what godiag's tests compare against. Each mode lives in its own file
// and registers itself in modes, so modes can be added without touching this file.
//
//	go run . MODE trace.out
package main

import (
	"fmt"
	"os"
	"sort"
)

// modes maps a mode name to its implementation; files register theirs in init().
var modes = map[string]func(path string) error{}

func main() {
	if len(os.Args) != 3 || modes[os.Args[1]] == nil {
		names := make([]string, 0, len(modes))
		for n := range modes {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(os.Stderr, "usage: oracle MODE trace.out (modes: %v)\n", names)
		os.Exit(2)
	}
	if err := modes[os.Args[1]](os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
