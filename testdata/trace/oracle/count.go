package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/exp/trace"
)

// count: the number of events x/exp/trace reads, a smoke test that the module builds.
func init() {
	modes["count"] = func(path string) error {
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
		for {
			_, err := r.ReadEvent()
			if err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				return err
			}
			n++
		}
		fmt.Println(n)
		return nil
	}
}
