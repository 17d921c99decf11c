package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"golang.org/x/exp/trace"
)

// events: one canonical line per event, the reference godiag's trace reader must match
// line by line (test/trace-reader.test.ts writes the same format from our reader).
// On a read error, the events so far, then a line "ERROR <message>", and exit status 0.
func init() {
	modes["events"] = func(path string) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		w := bufio.NewWriterSize(os.Stdout, 1<<16)
		defer w.Flush()
		r, err := trace.NewReader(bufio.NewReader(f))
		if err != nil {
			fmt.Fprintf(w, "ERROR %v\n", err)
			return nil
		}
		for {
			ev, err := r.ReadEvent()
			if err != nil {
				if errors.Is(err, io.EOF) {
					return nil
				}
				fmt.Fprintf(w, "ERROR %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
				return nil
			}
			w.WriteString(canonical(&ev))
			w.WriteByte('\n')
		}
	}
}

func frames(s trace.Stack) string {
	var sb strings.Builder
	for f := range s.Frames() {
		if sb.Len() > 0 {
			sb.WriteByte('|')
		}
		fmt.Fprintf(&sb, "%s@0x%x:%s:%d", f.Func, f.PC, f.File, f.Line)
	}
	return "[" + sb.String() + "]"
}

func resource(r trace.ResourceID) string {
	return r.String()
}

func canonical(ev *trace.Event) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s t=%d g=%d p=%d m=%d stk=%s", ev.Kind(), ev.Time(), ev.Goroutine(), ev.Proc(), ev.Thread(), frames(ev.Stack()))
	switch k := ev.Kind(); k {
	case trace.EventSync:
		s := ev.Sync()
		fmt.Fprintf(&sb, " n=%d", s.N)
		if c := s.ClockSnapshot; c != nil {
			fmt.Fprintf(&sb, " clock=%d/%d.%09d/%d", c.Trace, c.Wall.Unix(), c.Wall.Nanosecond(), c.Mono)
		}
		names := make([]string, 0, len(s.ExperimentalBatches))
		for n := range s.ExperimentalBatches {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			size := 0
			for _, b := range s.ExperimentalBatches[n] {
				size += len(b.Data)
			}
			fmt.Fprintf(&sb, " exp=%s:%d:%d", n, len(s.ExperimentalBatches[n]), size)
		}
	case trace.EventMetric:
		m := ev.Metric()
		fmt.Fprintf(&sb, " name=%q v=%d", m.Name, m.Value.Uint64())
	case trace.EventLabel:
		l := ev.Label()
		fmt.Fprintf(&sb, " label=%q res=%s", l.Label, resource(l.Resource))
	case trace.EventRangeBegin, trace.EventRangeActive, trace.EventRangeEnd:
		r := ev.Range()
		fmt.Fprintf(&sb, " name=%q scope=%s", r.Name, resource(r.Scope))
		if k == trace.EventRangeEnd {
			for _, a := range ev.RangeAttributes() {
				fmt.Fprintf(&sb, " attr=%q:%d", a.Name, a.Value.Uint64())
			}
		}
	case trace.EventTaskBegin, trace.EventTaskEnd:
		t := ev.Task()
		fmt.Fprintf(&sb, " id=%d parent=%d type=%q", uint64(t.ID), uint64(t.Parent), t.Type)
	case trace.EventRegionBegin, trace.EventRegionEnd:
		r := ev.Region()
		fmt.Fprintf(&sb, " task=%d type=%q", uint64(r.Task), r.Type)
	case trace.EventLog:
		l := ev.Log()
		fmt.Fprintf(&sb, " task=%d cat=%q msg=%q", uint64(l.Task), l.Category, l.Message)
	case trace.EventStateTransition:
		s := ev.StateTransition()
		var from, to string
		if s.Resource.Kind == trace.ResourceGoroutine {
			f, t := s.Goroutine()
			from, to = f.String(), t.String()
		} else {
			f, t := s.Proc()
			from, to = f.String(), t.String()
		}
		fmt.Fprintf(&sb, " res=%s from=%s to=%s reason=%q tstk=%s", resource(s.Resource), from, to, s.Reason, frames(s.Stack))
	case trace.EventExperimental:
		e := ev.Experimental()
		fmt.Fprintf(&sb, " name=%s exp=%s", e.Name, e.Experiment)
		for i, a := range e.Args {
			fmt.Fprintf(&sb, " %s=%d", a, e.ArgValue(i).Uint64())
		}
	}
	return sb.String()
}
