package assess

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/ceplus/ceplus/shared/identity"
	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/match"
	"github.com/ceplus/ceplus/shared/rules"
)

// Scanner asks enrolled agents to inventory now. The collector's serve implements it with the
// agent's "scan now" command.
type Scanner interface {
	// Scan asks the agent to inventory now and returns once the fresh inventory is durably
	// stored (store.PutInventory done), with that inventory's content hash. It returns when ctx
	// ends, with ctx's error; an agent that is not connected is an error saying so.
	Scan(ctx context.Context, agent identity.AgentID) (contentHash string, err error)
}

// ScannerFunc adapts a function to Scanner.
type ScannerFunc func(ctx context.Context, agent identity.AgentID) (string, error)

// Scan implements Scanner.
func (f ScannerFunc) Scan(ctx context.Context, agent identity.AgentID) (string, error) {
	return f(ctx, agent)
}

// ScanRequest selects what a scan tests.
type ScanRequest struct {
	Sample int `json:"sample"`
	// Devices limits the scan to these devices of the sample (a retest); empty means all.
	Devices []string `json:"devices,omitempty"`
}

// scanTimeout bounds one device's scan (the agent inventories and uploads in that time).
const scanTimeout = 5 * time.Minute

// scanWorkers is how many devices of one scan are scanned at once.
const scanWorkers = 8

// StartScan starts testing the devices of a drawn sample: each device with an agent is asked to
// inventory now and its fresh inventory is matched against the pinned snapshot (device_tested);
// a device without an agent, or whose scan fails, gets scan_failed and can have its results
// imported. The scan runs in the background; follow it with WatchScan.
func (s *Service) StartScan(ctx context.Context, id string, req ScanRequest) (ScanStatus, error) {
	if err := checkSample(req.Sample); err != nil {
		return ScanStatus{}, err
	}
	unlock, err := s.lock(ctx, id)
	if err != nil {
		return ScanStatus{}, err
	}
	defer unlock()
	st, err := s.Load(ctx, id)
	if err != nil {
		return ScanStatus{}, err
	}
	devices, err := st.testable(req.Sample, req.Devices, s.now())
	if err != nil {
		return ScanStatus{}, err
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return ScanStatus{}, fmt.Errorf("assessment %s: scan id: %w", id, err)
	}
	scanID := "scan-" + hex.EncodeToString(b[:])
	if _, err := s.appendEvent(ctx, id, KindScanStarted, scanStarted{Scan: scanID, Sample: req.Sample, Devices: devices}); err != nil {
		return ScanStatus{}, err
	}
	run := s.scans.start(scanID, id, req.Sample, devices, s.now())
	go s.runScan(context.WithoutCancel(ctx), st, run, devices)
	return run.snapshot(), nil
}

// testable checks that the devices can be tested in sample n now and returns them (all of the
// sample when none are given).
func (st *State) testable(n int, want []string, now time.Time) ([]string, error) {
	sm := st.Samples[n]
	if sm == nil || sm.Drawn == nil {
		return nil, fail(ErrConflict, "sample_not_drawn", "assessment %s: Sample %d is not drawn: run 'assessment draw --sample %d %s' first", st.ID, n, n, st.ID)
	}
	if n == 2 && (st.Declared == nil || st.Declared.At.After(now)) {
		return nil, fail(ErrConflict, "sample2_not_declared", "assessment %s: Sample 2 must be declared to the applicant before it is tested: run 'assessment declare %s'", st.ID, st.ID)
	}
	if len(want) == 0 {
		return append([]string(nil), sm.Devices...), nil
	}
	for _, d := range want {
		if !sm.Has(d) {
			return nil, fail(ErrInvalid, "device_not_in_sample", "assessment %s: device %q is not in Sample %d: test only the drawn devices (see 'assessment show %s')", st.ID, d, n, st.ID)
		}
	}
	return want, nil
}

func (s *Service) runScan(ctx context.Context, st *State, run *scanRun, devices []string) {
	defer run.finish()
	work := make(chan string)
	var wg sync.WaitGroup
	for range min(scanWorkers, len(devices)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range work {
				s.scanDevice(ctx, st, run, d)
			}
		}()
	}
	for _, d := range devices {
		work <- d
	}
	close(work)
	wg.Wait()
}

// scanDevice tests one device and records the outcome; failures are recorded, never dropped.
func (s *Service) scanDevice(ctx context.Context, st *State, run *scanRun, device string) {
	n, scanID := run.status.Sample, run.status.Scan
	failed := func(err error) {
		msg := err.Error()
		run.set(Progress{At: s.now(), Device: device, State: StateFailed, Error: msg})
		if _, aerr := s.appendEvent(ctx, st.ID, KindScanFailed, scanFailed{Scan: scanID, Sample: n, Device: device, Error: msg}); aerr != nil {
			run.set(Progress{At: s.now(), Device: device, State: StateFailed, Error: msg + "; and it could not be recorded: " + aerr.Error()})
		}
	}
	d, _ := st.Device(device)
	if d.Agent == "" {
		failed(fmt.Errorf("device %s has no agent: import its results with 'assessment import-results'", device))
		return
	}
	agent, err := identity.ParseAgentID(d.Agent)
	if err != nil {
		failed(fmt.Errorf("device %s: agent id %q: %w", device, d.Agent, err))
		return
	}
	if s.scanner == nil || s.matchers == nil {
		failed(fmt.Errorf("device %s: this collector cannot scan agents (no scanner or vulnerability database configured): import its results instead", device))
		return
	}
	run.set(Progress{At: s.now(), Device: device, State: StateRunning})
	sctx, cancel := context.WithTimeout(ctx, scanTimeout)
	defer cancel()
	hash, err := s.scanner.Scan(sctx, agent)
	if errors.Is(err, ErrAgentNotConnected) {
		hash, err = s.uploadedSince(sctx, st, n, device, agent, err)
	}
	if err != nil {
		failed(fmt.Errorf("device %s: scan agent %s: %w", device, agent.Short(), err))
		return
	}
	run.set(Progress{At: s.now(), Device: device, State: StateUploaded})
	t, err := s.matchInventory(sctx, st, device, hash)
	if err != nil {
		failed(err)
		return
	}
	t.Sample, t.Scan = n, scanID
	if _, err := s.appendEvent(ctx, st.ID, KindTested, t); err != nil {
		failed(err)
		return
	}
	run.set(Progress{At: s.now(), Device: device, State: StateMatched, Findings: len(t.Findings), Failing: failing(t.Findings, t.TestedAt, st)})
}

// matchInventory matches the stored inventory with the content hash against the pinned
// snapshot, as a test at the clock's now.
func (s *Service) matchInventory(ctx context.Context, st *State, device, hash string) (tested, error) {
	doc, err := s.store.GetInventory(ctx, hash)
	if err != nil {
		return tested{}, fmt.Errorf("device %s: read inventory %s: %w", device, hash, err)
	}
	body, err := doc.JSON()
	if err != nil {
		return tested{}, fmt.Errorf("device %s: %w", device, err)
	}
	var inv inventory.Inventory
	if err := json.Unmarshal(body, &inv); err != nil {
		return tested{}, fmt.Errorf("device %s: decode inventory %s: %w", device, hash, err)
	}
	m, err := s.matchers.Matcher(ctx, st.Settings.Snapshot)
	if err != nil {
		return tested{}, fmt.Errorf("device %s: load the pinned snapshot %s: %w", device, st.Settings.Snapshot, err)
	}
	now := s.now()
	res, err := m.Match(ctx, &inv, now)
	if err != nil {
		if errors.Is(err, match.ErrEcosystem) {
			return tested{}, fmt.Errorf("device %s: the pinned snapshot cannot answer for this device (its result would be falsely clean): %w; import results for it or pin a snapshot with its ecosystem", device, err)
		}
		return tested{}, fmt.Errorf("device %s: match: %w", device, err)
	}
	t := tested{Device: device, TestedAt: now, Source: "agent", Snapshot: st.Settings.Snapshot, Inventory: hash, Findings: []rules.Finding{}}
	for _, f := range res.Findings {
		t.Findings = append(t.Findings, RulesFinding(f))
		if f.Class == match.ClassNeedsDecision {
			t.Questions = append(t.Questions, fmt.Sprintf("device %s: %s %s (%v): the advisory data gives no usable fix release date (%s): decide whether it fails the device",
				device, f.Package, f.Installed, f.IDs, dash(f.FixDateFlag)))
		}
	}
	return t, nil
}

// RulesFinding converts a matcher finding to the rules engine's (and the contract's) form. The
// fix release date is given only when the matcher has a usable one.
func RulesFinding(f match.Finding) rules.Finding {
	rf := rules.Finding{IDs: f.IDs, Package: f.Package, Installed: f.Installed, Fixed: f.Fixed, Severity: f.Severity.RulesSeverity()}
	if f.Fixed != "" && f.FixDate != "" {
		if d, err := calendar.ParseDate(f.FixDate); err == nil {
			rf.FixReleased = &d
		}
	}
	return rf
}

// failing counts the findings that fail the device on the test date.
func failing(fs []rules.Finding, at time.Time, st *State) int {
	cal, err := st.Settings.Calendar()
	if err != nil {
		return 0
	}
	n := 0
	for _, f := range fs {
		switch rules.ClassifyFinding(f, at, cal.Location()) {
		case rules.ClassFail, rules.ClassUnsupported:
			n++
		}
	}
	return n
}

func dash(s string) string {
	if s == "" {
		return "missing"
	}
	return s
}
