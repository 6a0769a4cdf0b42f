package assess

import (
	"context"
	"sync"
	"time"

	"github.com/ceplus/ceplus/shared/discovery"
)

// RunProgress is one progress report of a running discovery (live, not part of the history).
type RunProgress struct {
	// Seq numbers the run's reports 1, 2, 3…
	Seq int       `json:"seq"`
	At  time.Time `json:"at"`
	discovery.Progress
}

// DiscoveryStatus is a discovery run's live state in the collector process that runs it.
type DiscoveryStatus struct {
	Run        string `json:"run"`
	Assessment string `json:"assessment"`
	Agent      string `json:"agent"`
	// State is running, recorded or failed.
	State string `json:"state"`
	// Last is the latest progress report, nil before the first.
	Last  *RunProgress `json:"last,omitempty"`
	Done  bool         `json:"done"`
	Error string       `json:"error,omitempty"`
}

type discoveryRun struct {
	id      string
	mu      sync.Mutex
	st      DiscoveryStatus
	updates []RunProgress
	changed chan struct{}
}

// discoveryRuns keeps the live progress of this process's discovery runs.
type discoveryRuns struct {
	mu sync.Mutex
	m  map[string]*discoveryRun
}

func newDiscoveryRuns() *discoveryRuns { return &discoveryRuns{m: map[string]*discoveryRun{}} }

func (h *discoveryRuns) start(id, assessment, agent string, _ time.Time) *discoveryRun {
	r := &discoveryRun{id: id, changed: make(chan struct{}), st: DiscoveryStatus{Run: id, Assessment: assessment, Agent: agent, State: RunRunning}}
	h.mu.Lock()
	h.m[id] = r
	h.mu.Unlock()
	return r
}

func (h *discoveryRuns) get(assessment, id string) *discoveryRun {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.m[id]
	if r == nil || r.st.Assessment != assessment {
		return nil
	}
	return r
}

func (r *discoveryRun) progress(at time.Time, p discovery.Progress) {
	r.mu.Lock()
	defer r.mu.Unlock()
	u := RunProgress{Seq: len(r.updates) + 1, At: at, Progress: p}
	r.updates = append(r.updates, u)
	r.st.Last = &u
	close(r.changed)
	r.changed = make(chan struct{})
}

func (r *discoveryRun) finish(state, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.st.State, r.st.Error, r.st.Done = state, msg, true
	close(r.changed)
	r.changed = make(chan struct{})
}

func (r *discoveryRun) status() DiscoveryStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.st
}

// DiscoveryWatch is what a watcher of a run gets: the reports after the ones it has seen, the
// status, and a channel closed at the next change.
type DiscoveryWatch struct {
	Updates []RunProgress
	Status  DiscoveryStatus
	Changed <-chan struct{}
}

// WatchDiscovery returns the run's progress reports after the first `seen`. ErrNotFound when
// this collector process does not run it.
func (d *Discovery) WatchDiscovery(assessment, run string, seen int) (DiscoveryWatch, error) {
	r := d.runs.get(assessment, run)
	if r == nil {
		return DiscoveryWatch{}, fail(ErrNotFound, "run_not_running", "discovery run %q of assessment %s is not running on this collector: see 'assessment discovery show %s %s'", run, assessment, assessment, run)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	w := DiscoveryWatch{Status: r.st, Changed: r.changed}
	if seen < len(r.updates) {
		w.Updates = append([]RunProgress(nil), r.updates[seen:]...)
	}
	return w, nil
}

// WaitDiscovery blocks until the run has finished in this process or ctx ends.
func (d *Discovery) WaitDiscovery(ctx context.Context, assessment, run string) (DiscoveryStatus, error) {
	for {
		w, err := d.WatchDiscovery(assessment, run, 1<<30)
		if err != nil {
			return DiscoveryStatus{}, err
		}
		if w.Status.Done {
			return w.Status, nil
		}
		select {
		case <-w.Changed:
		case <-ctx.Done():
			return DiscoveryStatus{}, ctx.Err()
		}
	}
}
