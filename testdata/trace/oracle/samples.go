package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	"golang.org/x/exp/trace"
)

// samples: the trace's CPU samples (EventStackSample) as x/exp/trace reads them. The first
// line is their number; then one line per leaf function, "COUNT FUNC", most samples first
// (ties by name); a sample without frames counts under "-".
func init() {
	modes["samples"] = func(path string) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		r, err := trace.NewReader(bufio.NewReader(f))
		if err != nil {
			return err
		}
		n := 0
		leaves := map[string]int{}
		for {
			ev, err := r.ReadEvent()
			if err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				return err
			}
			if ev.Kind() != trace.EventStackSample {
				continue
			}
			n++
			leaf := "-"
			for fr := range ev.Stack().Frames() {
				leaf = fr.Func
				break
			}
			leaves[leaf]++
		}
		names := make([]string, 0, len(leaves))
		for name := range leaves {
			names = append(names, name)
		}
		sort.Slice(names, func(i, j int) bool {
			if leaves[names[i]] != leaves[names[j]] {
				return leaves[names[i]] > leaves[names[j]]
			}
			return names[i] < names[j]
		})
		fmt.Println(n)
		for _, name := range names {
			fmt.Println(leaves[name], name)
		}
		return nil
	}
}
