package assess

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/ceplus/ceplus/shared/discovery"
	"github.com/ceplus/ceplus/shared/discovery/exposure"
	"github.com/ceplus/ceplus/shared/identity"
	"github.com/ceplus/ceplus/shared/vulndb"
)

// DiscoveryRunner runs a discovery job on a scanner agent. The collector's serve implements it
// with the agent's Discover command.
type DiscoveryRunner interface {
	// RunDiscovery sends the job and returns the agent's result, calling progress as the agent
	// reports. res is nil when the agent sent no result (refused, not connected); err says why
	// the run did not succeed, and may come with a result (a failed or cut-short scan).
	RunDiscovery(ctx context.Context, agent identity.AgentID, job ScanJob, progress func(discovery.Progress)) (res *discovery.Result, err error)
}

// DiscoveryRunnerFunc adapts a function to DiscoveryRunner.
type DiscoveryRunnerFunc func(ctx context.Context, agent identity.AgentID, job ScanJob, progress func(discovery.Progress)) (*discovery.Result, error)

// RunDiscovery implements DiscoveryRunner.
func (f DiscoveryRunnerFunc) RunDiscovery(ctx context.Context, agent identity.AgentID, job ScanJob, progress func(discovery.Progress)) (*discovery.Result, error) {
	return f(ctx, agent, job, progress)
}

// ErrRunnerMissing: this collector cannot send discovery jobs.
var ErrRunnerMissing = errors.New("this collector has no agent connections to run discovery on")

// Discovery runs network discovery for assessments: scanner agents with their allow-lists,
// runs stored per assessment, scope reconciliation, hosts added to or kept out of the scope,
// and exposure findings against the pinned snapshot. Its history lives in the assessment's
// stream; each run's result and findings live in the run's own stream (DiscoveryStream).
type Discovery struct {
	svc     *Service
	runner  DiscoveryRunner
	snapDir string
	catalog *exposure.Catalog
	runs    *discoveryRuns

	mu    sync.Mutex
	snaps map[string]*vulndb.Snapshot
}

// DiscoveryDeps are what Discovery needs beside the assessment service; both may be zero.
type DiscoveryDeps struct {
	// Runner sends jobs to agents; nil refuses runs (ErrUnavailable).
	Runner DiscoveryRunner
	// SnapshotDir is the vulndb directory of the pinned snapshots; "" gives lifecycle findings
	// only, with a problem saying so.
	SnapshotDir string
	// Catalog is the product and lifecycle data; nil means exposure.Default().
	Catalog *exposure.Catalog
}

// NewDiscovery returns the discovery service of svc's assessments.
func NewDiscovery(svc *Service, d DiscoveryDeps) *Discovery {
	c := d.Catalog
	if c == nil {
		c = exposure.Default()
	}
	return &Discovery{svc: svc, runner: d.Runner, snapDir: d.SnapshotDir, catalog: c, runs: newDiscoveryRuns(), snaps: map[string]*vulndb.Snapshot{}}
}

// ScannerRequest marks an agent as a scanner of an assessment.
type ScannerRequest struct {
	// Agent is the agent's id or a unique prefix of it.
	Agent string `json:"agent"`
	// Allow lists the addresses and CIDR prefixes the scanner may scan for this assessment.
	Allow []string `json:"allow"`
}

// AddScanner marks an enrolled, unrevoked agent as a scanner of the assessment with an
// allow-list (scanner_added); marking it again replaces the allow-list. An agent enrolled for
// another assessment is refused.
func (d *Discovery) AddScanner(ctx context.Context, id string, req ScannerRequest) (ScannerAgent, error) {
	allow, err := parseAllowList(req.Allow)
	if err != nil {
		return ScannerAgent{}, err
	}
	s := d.svc
	unlock, err := s.lock(ctx, id)
	if err != nil {
		return ScannerAgent{}, err
	}
	defer unlock()
	if _, err := s.Load(ctx, id); err != nil {
		return ScannerAgent{}, err
	}
	all, err := s.store.ListAgents(ctx, store.AgentFilter{ExcludeRevoked: true})
	if err != nil {
		return ScannerAgent{}, fmt.Errorf("assessment %s: list agents: %w", id, err)
	}
	if strings.TrimSpace(req.Agent) == "" {
		return ScannerAgent{}, fail(ErrInvalid, "invalid_agent", "no agent given: name the scanner agent by its id or a unique prefix ('ceplus-collector agents list')")
	}
	hit, err := selectAgents(all, []string{req.Agent})
	if err != nil {
		return ScannerAgent{}, err
	}
	a := hit[0]
	if a.AssessmentID != "" && a.AssessmentID != id {
		return ScannerAgent{}, fail(ErrConflict, "other_assessment", "agent %s was enrolled for assessment %s: mark one of this assessment's agents, or one enrolled with an unbound token", a.ID.Short(), a.AssessmentID)
	}
	p := scannerAdded{Agent: a.ID.String(), Hostname: a.Hostname, Allow: allow}
	e, err := s.appendEvent(ctx, id, KindScannerAdded, p)
	if err != nil {
		return ScannerAgent{}, err
	}
	return ScannerAgent{Agent: p.Agent, Hostname: p.Hostname, Allow: p.Allow, Since: e.At}, nil
}

// RemoveScanner withdraws an agent's scanner mark (scanner_removed).
func (d *Discovery) RemoveScanner(ctx context.Context, id, agent string) error {
	s := d.svc
	unlock, err := s.lock(ctx, id)
	if err != nil {
		return err
	}
	defer unlock()
	st, err := s.Load(ctx, id)
	if err != nil {
		return err
	}
	sc, err := st.scanner(agent)
	if err != nil {
		return err
	}
	_, err = s.appendEvent(ctx, id, KindScannerRemoved, scannerRemoved{Agent: sc.Agent})
	return err
}

// scanner finds a scanner by id prefix; with an empty prefix, the only scanner.
func (st *State) scanner(prefix string) (ScannerAgent, error) {
	var hit []ScannerAgent
	for _, sc := range st.Discovery.Scanners {
		if strings.HasPrefix(sc.Agent, strings.ToLower(prefix)) {
			hit = append(hit, sc)
		}
	}
	switch {
	case len(hit) == 1:
		return hit[0], nil
	case len(hit) == 0 && prefix == "":
		return ScannerAgent{}, fail(ErrConflict, "no_scanner", "assessment %s has no scanner agent: mark one with 'assessment scanner add %s AGENT --allow PREFIX'", st.ID, st.ID)
	case len(hit) == 0:
		return ScannerAgent{}, fail(ErrNotFound, "scanner_not_found", "agent %q is not a scanner of assessment %s: mark it with 'assessment scanner add %s %s --allow PREFIX'", prefix, st.ID, st.ID, prefix)
	case prefix == "":
		return ScannerAgent{}, fail(ErrInvalid, "scanner_ambiguous", "assessment %s has %d scanners: name the agent", st.ID, len(hit))
	}
	return ScannerAgent{}, fail(ErrInvalid, "scanner_ambiguous", "agent prefix %q matches %d scanners: give more characters", prefix, len(hit))
}

// StartDiscovery checks the job against the scanner's allow-list, records discovery_started and
// runs the job in the background; follow it with WatchDiscovery. A target outside the
// allow-list is refused (target_not_allowed) before anything is recorded or sent.
func (d *Discovery) StartDiscovery(ctx context.Context, id string, job DiscoveryJob) (DiscoveryStatus, error) {
	s := d.svc
	unlock, err := s.lock(ctx, id)
	if err != nil {
		return DiscoveryStatus{}, err
	}
	defer unlock()
	st, err := s.Load(ctx, id)
	if err != nil {
		return DiscoveryStatus{}, err
	}
	sc, err := st.scanner(job.Agent)
	if err != nil {
		return DiscoveryStatus{}, err
	}
	sj, err := job.check(sc)
	if err != nil {
		return DiscoveryStatus{}, err
	}
	if d.runner == nil {
		return DiscoveryStatus{}, fail(ErrUnavailable, "no_runner", "assessment %s: %v: run discovery through 'ceplus-collector serve'", id, ErrRunnerMissing)
	}
	agent, err := identity.ParseAgentID(sc.Agent)
	if err != nil {
		return DiscoveryStatus{}, fmt.Errorf("assessment %s: scanner agent id %q: %w", id, sc.Agent, err)
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return DiscoveryStatus{}, fmt.Errorf("assessment %s: run id: %w", id, err)
	}
	runID := "disc-" + hex.EncodeToString(b[:])
	job.Agent = sc.Agent
	if _, err := s.appendEvent(ctx, id, KindDiscoveryStarted, discoveryStarted{Run: runID, Agent: sc.Agent, Job: job, Allowed: sc.Allow}); err != nil {
		return DiscoveryStatus{}, err
	}
	r := d.runs.start(runID, id, sc.Agent, s.now())
	go d.run(context.WithoutCancel(ctx), st, r, agent, sj)
	return r.status(), nil
}

// runGrace is how long the collector waits beyond the job's own timeout for the agent's answer
// (the agent stops its plugin at the timeout and still sends the hosts completed so far).
const runGrace = 2 * time.Minute

func (d *Discovery) run(ctx context.Context, st *State, r *discoveryRun, agent identity.AgentID, job ScanJob) {
	rctx, cancel := context.WithTimeout(ctx, job.Timeout+runGrace)
	defer cancel()
	res, err := d.runner.RunDiscovery(rctx, agent, job, func(p discovery.Progress) { r.progress(d.svc.now(), p) })
	if res == nil {
		if err == nil {
			err = errors.New("the agent sent no result")
		}
		msg := fmt.Sprintf("scanner %s: %v", agent.Short(), err)
		if _, aerr := d.svc.appendEvent(ctx, st.ID, KindDiscoveryFailed, discoveryFailed{Run: r.id, Agent: agent.String(), Error: msg}); aerr != nil {
			msg += "; and it could not be recorded: " + aerr.Error()
		}
		r.finish(RunFailed, msg)
		return
	}
	sum, err := d.record(ctx, st, r.id, agent, *res, err)
	if err != nil {
		r.finish(RunFailed, fmt.Sprintf("the result could not be stored: %v", err))
		return
	}
	r.finish(RunRecorded, sum.Error)
}

// record stores a result and its exposure findings in the run's stream, then the summary with
// their hashes in the assessment's history.
func (d *Discovery) record(ctx context.Context, st *State, run string, agent identity.AgentID, res discovery.Result, runErr error) (RunSummary, error) {
	s := d.svc
	now := s.now()
	raw, err := json.Marshal(res)
	if err != nil {
		return RunSummary{}, fmt.Errorf("encode the result: %w", err)
	}
	stream := DiscoveryStream(st.ID, run)
	if _, err := s.store.AppendEvent(ctx, stream, KindDiscoveryResult, raw, now); err != nil {
		return RunSummary{}, fmt.Errorf("store the result of run %s: %w", run, err)
	}
	rep := d.exposure(ctx, st, res, now)
	rawRep, err := json.Marshal(rep)
	if err != nil {
		return RunSummary{}, fmt.Errorf("encode the exposure findings: %w", err)
	}
	if _, err := s.store.AppendEvent(ctx, stream, KindExposureFindings, rawRep, now); err != nil {
		return RunSummary{}, fmt.Errorf("store the exposure findings of run %s: %w", run, err)
	}
	sum := RunSummary{Run: run, Agent: agent.String(), Outcome: res.Run.Outcome, HostsUp: res.Run.HostsUp, HostsDown: res.Run.HostsDown,
		HostsTotal: res.Run.HostsTotal, Stream: stream, Result: sha(raw), Exposure: sha(rawRep), Snapshot: rep.Snapshot, Findings: map[string]int{}}
	for _, h := range res.Hosts {
		sum.Services += len(h.Services)
	}
	for _, h := range rep.Hosts {
		for _, f := range h.Findings {
			sum.Findings[f.Class]++
		}
	}
	if runErr != nil {
		sum.Error = runErr.Error()
	}
	if _, err := s.appendEvent(ctx, st.ID, KindDiscoveryRecorded, sum); err != nil {
		return RunSummary{}, err
	}
	return sum, nil
}

// exposure looks the result's services up in the assessment's pinned snapshot on the
// assessment's date; a snapshot that cannot be loaded leaves lifecycle findings only, with a
// problem saying so (never a clean report).
func (d *Discovery) exposure(ctx context.Context, st *State, res discovery.Result, now time.Time) exposure.Report {
	today := calendar.DateOf(now)
	if cal, err := st.Settings.Calendar(); err == nil {
		today = calendar.DateOf(now.In(cal.Location()))
	}
	snap, err := d.snapshot(ctx, st.Settings.Snapshot)
	rep := d.catalog.Findings(res, snap, today)
	if err != nil {
		rep.Problems = append(rep.Problems, fmt.Sprintf("the pinned snapshot %s could not be loaded (%v): advisories were not looked up, only end of life", short(st.Settings.Snapshot), err))
	}
	return rep
}

func (d *Discovery) snapshot(ctx context.Context, hash string) (*vulndb.Snapshot, error) {
	if d.snapDir == "" {
		return nil, errors.New("this collector has no vulnerability database directory")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if snap, ok := d.snaps[hash]; ok {
		return snap, nil
	}
	snap, err := vulndb.Open(ctx, d.snapDir, hash)
	if err != nil {
		return nil, err
	}
	d.snaps[hash] = snap
	return snap, nil
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
