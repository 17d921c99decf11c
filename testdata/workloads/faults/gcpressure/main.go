// gcpressure: every request builds a pointer-rich tree of small nodes, each with
// its own map, walks it once and drops it. The live heap stays tiny while the
// allocation rate is high, so the GC runs back to back: godiag gc must report
// too-frequent GC and name buildRequestTree as the top allocation site.
package main

import (
	"io"
	"net/http"
	"strconv"

	"godiag.test/workloads/internal/faultserver"
)

type treeNode struct {
	left, right *treeNode
	attrs       map[string]*string
	name        *string
}

// buildRequestTree is the injected fault: n short-lived nodes linked as a
// complete binary tree, each with its own map and boxed strings, per request.
// (Iterative, so the heap profile has one stack per site, not one per depth.)
//
//go:noinline
func buildRequestTree(n int) *treeNode {
	nodes := make([]*treeNode, n)
	for i := range nodes {
		name := strconv.Itoa(i)
		v := name + "-v"
		nodes[i] = &treeNode{name: &name, attrs: make(map[string]*string, 2)}
		nodes[i].attrs["k"] = &v
	}
	for i := range nodes {
		if l := 2*i + 1; l < n {
			nodes[i].left = nodes[l]
		}
		if r := 2*i + 2; r < n {
			nodes[i].right = nodes[r]
		}
	}
	return nodes[0]
}

//go:noinline
func countNodes(root *treeNode) int {
	count := 0
	stack := []*treeNode{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == nil {
			continue
		}
		count += 1 + len(n.attrs)
		stack = append(stack, n.left, n.right)
	}
	return count
}

func handleTree(w http.ResponseWriter, r *http.Request) {
	t := buildRequestTree(511)
	_, _ = io.WriteString(w, strconv.Itoa(countNodes(t)))
}

func main() {
	s := faultserver.New("gcpressure", "buildRequestTree allocates a pointer-rich tree with maps per request")
	s.Mux.HandleFunc("/tree", handleTree)
	s.Serve()
	s.Run(func() { s.Drive(faultserver.Load{Clients: 4, Path: "/tree"}) })
}
