package assess

import (
	"context"
	"sync"
	"time"
)

// Scan progress states of a device (live progress, not part of the history: the history has
// scan_started, device_tested and scan_failed).
const (
	StateQueued   = "queued"
	StateRunning  = "running"
	StateUploaded = "uploaded"
	StateMatched  = "matched"
	StateFailed   = "failed"
)

// Progress is one change of a device's state in a scan.
type Progress struct {
	// Seq numbers the scan's progress updates 1, 2, 3…
	Seq    int       `json:"seq"`
	At     time.Time `json:"at"`
	Device string    `json:"device"`
	State  string    `json:"state"`
	// Error says why the device failed; Failing counts its fail and unsupported findings.
	Error    string `json:"error,omitempty"`
	Findings int    `json:"findings"`
	Failing  int    `json:"failing"`
}

// ScanStatus is a scan's state: its devices' latest states and whether it has finished.
type ScanStatus struct {
	Scan       string            `json:"scan"`
	Assessment string            `json:"assessment"`
	Sample     int               `json:"sample"`
	Devices    map[string]string `json:"devices"`
	Counts     map[string]int    `json:"counts"`
	Done       bool              `json:"done"`
}

type scanRun struct {
	mu      sync.Mutex
	status  ScanStatus
	updates []Progress
	changed chan struct{}
}

// scans keeps the live progress of this process's scans.
type scans struct {
	mu sync.Mutex
	m  map[string]*scanRun
}

func newScans() *scans { return &scans{m: map[string]*scanRun{}} }

func (h *scans) start(id, assessment string, n int, devices []string, at time.Time) *scanRun {
	r := &scanRun{changed: make(chan struct{}),
		status: ScanStatus{Scan: id, Assessment: assessment, Sample: n, Devices: map[string]string{}, Counts: map[string]int{}}}
	for _, d := range devices {
		r.set(Progress{At: at, Device: d, State: StateQueued})
	}
	h.mu.Lock()
	h.m[id] = r
	h.mu.Unlock()
	return r
}

func (h *scans) get(assessment, id string) *scanRun {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.m[id]
	if r == nil || r.status.Assessment != assessment {
		return nil
	}
	return r
}

func (r *scanRun) set(p Progress) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p.Seq = len(r.updates) + 1
	r.updates = append(r.updates, p)
	if old, ok := r.status.Devices[p.Device]; ok {
		r.status.Counts[old]--
	}
	r.status.Devices[p.Device] = p.State
	r.status.Counts[p.State]++
	close(r.changed)
	r.changed = make(chan struct{})
}

func (r *scanRun) finish() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status.Done = true
	close(r.changed)
	r.changed = make(chan struct{})
}

func (r *scanRun) snapshot() ScanStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.status
	st.Devices, st.Counts = make(map[string]string, len(r.status.Devices)), make(map[string]int, len(r.status.Counts))
	for k, v := range r.status.Devices {
		st.Devices[k] = v
	}
	for k, v := range r.status.Counts {
		if v != 0 {
			st.Counts[k] = v
		}
	}
	return st
}

// ScanWatch is what a watcher of a scan gets: the updates after the ones it has seen, whether
// the scan has finished, and a channel closed at the next change.
type ScanWatch struct {
	Updates []Progress
	Done    bool
	Changed <-chan struct{}
}

// WatchScan returns the scan's progress updates after the first `seen`. ErrNotFound when this
// collector process does not run the scan.
func (s *Service) WatchScan(assessment, scan string, seen int) (ScanWatch, error) {
	r := s.scans.get(assessment, scan)
	if r == nil {
		return ScanWatch{}, fail(ErrNotFound, "scan_not_found", "scan %q of assessment %s is not running on this collector: start one with 'assessment scan'", scan, assessment)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	w := ScanWatch{Done: r.status.Done, Changed: r.changed}
	if seen < len(r.updates) {
		w.Updates = append([]Progress(nil), r.updates[seen:]...)
	}
	return w, nil
}

// ScanStatus returns a scan's current state.
func (s *Service) ScanStatus(assessment, scan string) (ScanStatus, error) {
	r := s.scans.get(assessment, scan)
	if r == nil {
		return ScanStatus{}, fail(ErrNotFound, "scan_not_found", "scan %q of assessment %s is not running on this collector: start one with 'assessment scan'", scan, assessment)
	}
	return r.snapshot(), nil
}

// WaitScan blocks until the scan has finished or ctx ends, and returns its final state.
func (s *Service) WaitScan(ctx context.Context, assessment, scan string) (ScanStatus, error) {
	for {
		w, err := s.WatchScan(assessment, scan, 1<<30)
		if err != nil {
			return ScanStatus{}, err
		}
		if w.Done {
			return s.ScanStatus(assessment, scan)
		}
		select {
		case <-w.Changed:
		case <-ctx.Done():
			return ScanStatus{}, ctx.Err()
		}
	}
}
