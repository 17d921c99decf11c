// tinywrites: every request appends an audit record to a log file, written
// field by field with one unbuffered os.File.Write per field, so each request
// costs a dozen write(2) system calls of a few bytes. The fault is
// main.writeAuditRecord (no bufio.Writer).
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"godiag.test/workloads/internal/faultserver"
)

var (
	auditMu sync.Mutex
	audit   *os.File
	records int
)

//go:noinline
func writeAuditRecord(f *os.File, user, action string, n int) {
	f.WriteString(time.Now().UTC().Format(time.RFC3339))
	f.WriteString(" user=")
	f.WriteString(user)
	f.WriteString(" action=")
	f.WriteString(action)
	f.WriteString(" n=")
	f.WriteString(strconv.Itoa(n))
	for i := 0; i < 8; i++ {
		f.WriteString(" k")
		f.WriteString(strconv.Itoa(i))
	}
	f.WriteString("\n")
}

func handleAction(w http.ResponseWriter, r *http.Request) {
	auditMu.Lock()
	writeAuditRecord(audit, r.URL.Query().Get("u"), "view", len(r.URL.Path))
	if records++; records%20000 == 0 { // keep the file small in long live runs
		_ = audit.Truncate(0)
		_, _ = audit.Seek(0, io.SeekStart)
	}
	auditMu.Unlock()
	fmt.Fprintln(w, "ok")
}

func main() {
	s := faultserver.New("tinywrites", "syscall-heavy")
	dir, err := os.MkdirTemp("", "tinywrites")
	if err != nil {
		panic(err)
	}
	s.AtExit(func() { os.RemoveAll(dir) })
	audit, err = os.Create(filepath.Join(dir, "audit.log"))
	if err != nil {
		panic(err)
	}
	s.Mux.HandleFunc("/action", handleAction)
	s.Serve()
	s.Run(func() {
		s.Drive(faultserver.Load{Clients: 8, Request: func(cl *http.Client, c, _ int) (*http.Response, error) {
			return cl.Get(fmt.Sprintf("%s/action?u=u%d", s.URL, c))
		}})
	})
}
