// Command scoreboard keeps the live leaderboards of the mobile games: score
// submissions from game servers, and the boards the clients poll.
package main

import (
	"context"
	"flag"
	"log"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	debugAddr := flag.String("debug-addr", "127.0.0.1:0", "debug listen address")
	players := flag.Int("players", 40000, "players per game loaded at start")
	flag.Parse()

	runtime.SetMutexProfileFraction(10)
	runtime.SetBlockProfileRate(100000)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	st := newStandings()
	st.seed([]string{"tetra-rush", "orbit-golf", "dungeon-dash"}, *players)

	api := &api{st: st}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/scores", api.submit)
	mux.HandleFunc("/v1/boards/top", api.top)
	mux.HandleFunc("/v1/boards/around", api.around)
	mux.HandleFunc("/v1/players/rank", api.rank)
	mux.HandleFunc("/v1/boards/export", api.export)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })

	dbg := http.NewServeMux()
	dbg.HandleFunc("/debug/pprof/", pprof.Index)
	dbg.HandleFunc("/debug/pprof/profile", pprof.Profile)
	dbg.HandleFunc("/debug/pprof/symbol", pprof.Symbol)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	dln, err := net.Listen("tcp", *debugAddr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("scoreboard listening on %s", ln.Addr())
	log.Printf("debug server listening on %s", dln.Addr())
	go http.Serve(dln, dbg)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 20 * time.Second, IdleTimeout: 2 * time.Minute}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
