package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"os"
	"sort"
	"strings"

	"golang.org/x/exp/trace"
)

// stats: the counts and durations godiag's trace summary defines the same way
// (docs/TRACE.md, "Definitions"), computed from golang.org/x/exp/trace's events.
// All durations are integer nanoseconds of trace time.

type durStats struct {
	Count   int   `json:"count"`
	TotalNs int64 `json:"totalNs"`
	MaxNs   int64 `json:"maxNs"`
}

func (d *durStats) add(ns int64) {
	d.Count++
	d.TotalNs += ns
	if ns > d.MaxNs {
		d.MaxNs = ns
	}
}

type statsOut struct {
	DurationNs        int64                `json:"durationNs"`
	GoroutinesCreated int                  `json:"goroutinesCreated"`
	GoroutinesEnded   int                  `json:"goroutinesEnded"`
	GCCycles          int                  `json:"gcCycles"`
	STW               durStats             `json:"stw"`
	STWByReason       map[string]*durStats `json:"stwByReason"`
	MarkAssist        durStats             `json:"markAssist"`
	GCWorkerNs        map[string]int64     `json:"gcWorkerNs"`
	SchedLatency      durStats             `json:"schedLatency"`
	// p50/p90/p99 of the same samples, interpolated between closest ranks (type 7)
	SchedLatencyQ map[string]float64   `json:"schedLatencyQuantiles"`
	Tasks         map[string]*durStats `json:"tasks"`
	Regions       map[string]*durStats `json:"regions"`
	Logs          int                  `json:"logs"`
	MaxGomaxprocs int                  `json:"maxGomaxprocs"`
}

type rangeKey struct {
	name  string
	kind  trace.ResourceKind
	scope int64
}

func scopeID(r trace.ResourceID) int64 {
	switch r.Kind {
	case trace.ResourceGoroutine:
		return int64(r.Goroutine())
	case trace.ResourceProc:
		return int64(r.Proc())
	}
	return 0
}

func init() {
	modes["stats"] = func(path string) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		r, err := trace.NewReader(bufio.NewReader(f))
		if err != nil {
			return err
		}
		out := statsOut{
			STWByReason: map[string]*durStats{},
			GCWorkerNs:  map[string]int64{},
			Tasks:       map[string]*durStats{},
			Regions:     map[string]*durStats{},
		}
		var first, last trace.Time
		seen := false
		rangeStart := map[rangeKey]trace.Time{}
		runnableSince := map[trace.GoID]trace.Time{}
		// a goroutine running under a "GC (...)" label: the kind and since when
		workerKind := map[trace.GoID]string{}
		workerSince := map[trace.GoID]trace.Time{}
		taskStart := map[trace.TaskID]trace.Time{}
		var latencies []float64
		regionStack := map[trace.GoID][]trace.Time{}
		for {
			ev, err := r.ReadEvent()
			if err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				return err
			}
			if !seen {
				first, seen = ev.Time(), true
			}
			last = ev.Time()
			switch ev.Kind() {
			case trace.EventMetric:
				if m := ev.Metric(); m.Name == "/sched/gomaxprocs:threads" && int(m.Value.Uint64()) > out.MaxGomaxprocs {
					out.MaxGomaxprocs = int(m.Value.Uint64())
				}
			case trace.EventRangeBegin:
				rg := ev.Range()
				rangeStart[rangeKey{rg.Name, rg.Scope.Kind, scopeID(rg.Scope)}] = ev.Time()
				if rg.Name == "GC concurrent mark phase" {
					out.GCCycles++
				}
			case trace.EventRangeEnd:
				rg := ev.Range()
				k := rangeKey{rg.Name, rg.Scope.Kind, scopeID(rg.Scope)}
				t0, ok := rangeStart[k]
				if !ok {
					break // begun before the trace: not a complete range
				}
				delete(rangeStart, k)
				ns := int64(ev.Time().Sub(t0))
				switch {
				case strings.HasPrefix(rg.Name, "stop-the-world ("):
					reason := strings.TrimSuffix(strings.TrimPrefix(rg.Name, "stop-the-world ("), ")")
					out.STW.add(ns)
					if out.STWByReason[reason] == nil {
						out.STWByReason[reason] = &durStats{}
					}
					out.STWByReason[reason].add(ns)
				case rg.Name == "GC mark assist":
					out.MarkAssist.add(ns)
				}
			case trace.EventLabel:
				l := ev.Label()
				if strings.HasPrefix(l.Label, "GC (") && ev.Goroutine() != trace.NoGoroutine {
					workerKind[ev.Goroutine()] = strings.TrimSuffix(strings.TrimPrefix(l.Label, "GC ("), ")")
					workerSince[ev.Goroutine()] = ev.Time()
				}
			case trace.EventStateTransition:
				st := ev.StateTransition()
				if st.Resource.Kind != trace.ResourceGoroutine {
					break
				}
				id := st.Resource.Goroutine()
				from, to := st.Goroutine()
				if from == to {
					break
				}
				if from == trace.GoNotExist {
					out.GoroutinesCreated++
				}
				if to == trace.GoNotExist {
					out.GoroutinesEnded++
				}
				if from == trace.GoRunnable {
					if t0, ok := runnableSince[id]; ok && to == trace.GoRunning {
						out.SchedLatency.add(int64(ev.Time().Sub(t0)))
						latencies = append(latencies, float64(ev.Time().Sub(t0)))
					}
					delete(runnableSince, id)
				}
				if to == trace.GoRunnable && from != trace.GoUndetermined {
					runnableSince[id] = ev.Time()
				}
				if from == trace.GoRunning {
					if k, ok := workerKind[id]; ok {
						out.GCWorkerNs[k] += int64(ev.Time().Sub(workerSince[id]))
						delete(workerKind, id)
						delete(workerSince, id)
					}
				}
			case trace.EventTaskBegin:
				taskStart[ev.Task().ID] = ev.Time()
			case trace.EventTaskEnd:
				t := ev.Task()
				t0, ok := taskStart[t.ID]
				if !ok {
					break
				}
				delete(taskStart, t.ID)
				if out.Tasks[t.Type] == nil {
					out.Tasks[t.Type] = &durStats{}
				}
				out.Tasks[t.Type].add(int64(ev.Time().Sub(t0)))
			case trace.EventRegionBegin:
				g := ev.Goroutine()
				regionStack[g] = append(regionStack[g], ev.Time())
			case trace.EventRegionEnd:
				g := ev.Goroutine()
				stk := regionStack[g]
				if len(stk) == 0 {
					break // begun before the trace
				}
				t0 := stk[len(stk)-1]
				regionStack[g] = stk[:len(stk)-1]
				typ := ev.Region().Type
				if out.Regions[typ] == nil {
					out.Regions[typ] = &durStats{}
				}
				out.Regions[typ].add(int64(ev.Time().Sub(t0)))
			case trace.EventLog:
				out.Logs++
			}
		}
		// Workers still running at the end count up to the last event.
		ids := make([]trace.GoID, 0, len(workerKind))
		for id := range workerKind {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		for _, id := range ids {
			out.GCWorkerNs[workerKind[id]] += int64(last.Sub(workerSince[id]))
		}
		out.DurationNs = int64(last.Sub(first))
		sort.Float64s(latencies)
		out.SchedLatencyQ = map[string]float64{}
		for _, q := range []struct {
			name string
			p    float64
		}{{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}} {
			out.SchedLatencyQ[q.name] = quantile7(latencies, q.p)
		}
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
}

// quantile7 is the q-quantile of sorted xs, interpolating between closest ranks
// (Hyndman-Fan type 7); 0 when empty.
func quantile7(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	h := float64(len(xs)-1) * q
	lo := int(h)
	hi := lo + 1
	if hi > len(xs)-1 {
		hi = len(xs) - 1
	}
	return xs[lo] + (h-float64(lo))*(xs[hi]-xs[lo])
}
