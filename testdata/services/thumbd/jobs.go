package main

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

type jobState string

const (
	stateRendering jobState = "rendering"
	stateDone      jobState = "done"
	stateFailed    jobState = "failed"
	stateCancelled jobState = "cancelled"
)

type job struct {
	ID      string
	Source  string
	Width   int
	Format  string
	Created time.Time

	mu       sync.Mutex
	state    jobState
	progress int
	errMsg   string
	thumbKey string

	cancelOnce sync.Once
	cancelled  chan struct{}
}

type jobView struct {
	ID       string   `json:"id"`
	Source   string   `json:"source"`
	Width    int      `json:"width"`
	State    jobState `json:"state"`
	Progress int      `json:"progress"`
	Error    string   `json:"error,omitempty"`
	Thumb    string   `json:"thumb,omitempty"`
}

func (j *job) view() jobView {
	j.mu.Lock()
	defer j.mu.Unlock()
	return jobView{ID: j.ID, Source: j.Source, Width: j.Width, State: j.state, Progress: j.progress, Error: j.errMsg, Thumb: j.thumbKey}
}

func (j *job) setProgress(p int) {
	j.mu.Lock()
	if j.state == stateRendering && p > j.progress {
		j.progress = p
	}
	j.mu.Unlock()
}

func (j *job) finish(state jobState, msg, key string) {
	j.mu.Lock()
	j.state, j.errMsg, j.thumbKey = state, msg, key
	if state == stateDone {
		j.progress = 100
	}
	j.mu.Unlock()
}

func (j *job) cancel() {
	j.cancelOnce.Do(func() { close(j.cancelled) })
}

// jobTable remembers recent jobs so the pipeline can poll their status.
type jobTable struct {
	seq   uint64
	keep  int
	mu    sync.Mutex
	byID  map[string]*job
	order []string
}

func newJobTable(keep int) *jobTable {
	return &jobTable{keep: keep, byID: make(map[string]*job)}
}

func (t *jobTable) create(source string, width int, format string) *job {
	id := "th-" + strconv.FormatUint(atomic.AddUint64(&t.seq, 1), 36)
	j := &job{ID: id, Source: source, Width: width, Format: format, Created: time.Now(), state: stateRendering, cancelled: make(chan struct{})}
	t.mu.Lock()
	t.byID[id] = j
	t.order = append(t.order, id)
	if len(t.order) > t.keep {
		drop := len(t.order) - t.keep
		for _, old := range t.order[:drop] {
			delete(t.byID, old)
		}
		t.order = append([]string(nil), t.order[drop:]...)
	}
	t.mu.Unlock()
	return j
}

func (t *jobTable) get(id string) (*job, bool) {
	t.mu.Lock()
	j, ok := t.byID[id]
	t.mu.Unlock()
	return j, ok
}

// track mirrors the renderer's progress reports into the job so status
// polls see them, until the renderer closes the channel or the job is
// cancelled.
func (t *jobTable) track(j *job, progress <-chan int) {
	for {
		select {
		case p, ok := <-progress:
			if !ok {
				return
			}
			j.setProgress(p)
		case <-j.cancelled:
			j.finish(stateCancelled, "cancelled by client", "")
			return
		}
	}
}
