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
	"sync"
	"time"

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
		client := &http.Client{Timeout: 10 * time.Second}
		var wg sync.WaitGroup
		for c := 0; c < 4; c++ {
			wg.Add(1)
			go func(c int) {
				defer wg.Done()
				for i := 0; s.Running(); i++ {
					addr := fmt.Sprintf("user%d.%d@example.com", c, i)
					resp, err := client.Post(s.URL+"/signup", "text/plain", bytes.NewBufferString(addr))
					if err == nil {
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
				}
			}(c)
		}
		wg.Wait()
	})
}
