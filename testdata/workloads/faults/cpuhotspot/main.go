// cpuhotspot: a signup endpoint validates the e-mail address with a regular
// expression compiled on every request (regexp.MustCompile inside the handler),
// so CPU goes to regexp/syntax parsing and compiling instead of matching.
// The fault is main.validateEmail.
package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"regexp"

	"godiag.test/workloads/internal/faultserver"
)

// validateEmail compiles its pattern per call: the classic hot spot.
//
//go:noinline
func validateEmail(addr string) bool {
	re := regexp.MustCompile(`^[a-zA-Z0-9.!#$%&'*+/=?^_{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$`)
	return re.MatchString(addr)
}

func handleSignup(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<10))
	if !validateEmail(string(bytes.TrimSpace(body))) {
		http.Error(w, "bad address", http.StatusBadRequest)
		return
	}
	fmt.Fprintln(w, "ok")
}

func main() {
	s := faultserver.New("cpuhotspot", "cpu-hotspot")
	s.Mux.HandleFunc("/signup", handleSignup)
	s.Serve()
	s.Run(func() {
		s.Drive(faultserver.Load{Clients: 4, Request: func(cl *http.Client, c, i int) (*http.Response, error) {
			addr := fmt.Sprintf("user%d.%d@example.com", c, i)
			return cl.Post(s.URL+"/signup", "text/plain", bytes.NewBufferString(addr))
		}})
	})
}
