package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strconv"

	"golang.org/x/exp/trace"
)

// assistwork: per goroutine, the time inside "GC mark assist" ranges while the goroutine
// was running, runnable, or blocked waiting for mark work ("GC mark assist wait for
// work"), from golang.org/x/exp/trace's events (docs/TRACE.md, "Assist work"). Assists
// still open count up to the last event. Output: {"goroutine id": ns}, nonzero only.

func init() { modes["assistwork"] = assistWork }

type assistG struct {
	inAssist, working bool
	since             trace.Time
	counting          bool
	ns                int64
}

func (g *assistG) update(t trace.Time) {
	c := g.inAssist && g.working
	if g.counting && !c {
		g.ns += int64(t - g.since)
	} else if !g.counting && c {
		g.since = t
	}
	g.counting = c
}

func assistWork(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := trace.NewReader(bufio.NewReader(f))
	if err != nil {
		return err
	}
	gs := map[trace.GoID]*assistG{}
	get := func(id trace.GoID) *assistG {
		g := gs[id]
		if g == nil {
			g = &assistG{}
			gs[id] = g
		}
		return g
	}
	var last trace.Time
	for {
		ev, err := r.ReadEvent()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		last = ev.Time()
		switch ev.Kind() {
		case trace.EventStateTransition:
			st := ev.StateTransition()
			if st.Resource.Kind != trace.ResourceGoroutine {
				continue
			}
			_, to := st.Goroutine()
			g := get(st.Resource.Goroutine())
			g.working = to == trace.GoRunning || to == trace.GoRunnable || (to == trace.GoWaiting && st.Reason == "GC mark assist wait for work")
			if to == trace.GoNotExist {
				g.inAssist = false
			}
			g.update(ev.Time())
		case trace.EventRangeBegin, trace.EventRangeActive, trace.EventRangeEnd:
			rg := ev.Range()
			if rg.Name != "GC mark assist" || rg.Scope.Kind != trace.ResourceGoroutine {
				continue
			}
			g := get(rg.Scope.Goroutine())
			g.inAssist = ev.Kind() != trace.EventRangeEnd
			g.update(ev.Time())
		}
	}
	out := map[string]int64{}
	for id, g := range gs {
		g.inAssist = false
		g.update(last)
		if g.ns > 0 {
			out[strconv.FormatInt(int64(id), 10)] = g.ns
		}
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}
