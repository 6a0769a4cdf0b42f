package assess

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"

	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/ceplus/ceplus/shared/discovery"
	"github.com/ceplus/ceplus/shared/discovery/exposure"
)

// RunView is a discovery run as the history records it, with its live progress when this
// collector process runs it.
type RunView struct {
	RunRecord
	Live *DiscoveryStatus `json:"live,omitempty"`
}

// RunDetail is a run with its stored result (hosts and services), once recorded.
type RunDetail struct {
	RunView
	Result *discovery.Result `json:"result,omitempty"`
}

// DiscoveryOverview is an assessment's scanners, runs and out-of-scope hosts.
type DiscoveryOverview struct {
	Assessment string         `json:"assessment"`
	Scanners   []ScannerAgent `json:"scanners"`
	Runs       []RunView      `json:"runs"`
	Excluded   []Exclusion    `json:"excluded"`
}

// Overview lists the assessment's scanners, its runs (oldest first) and the hosts marked out
// of scope.
func (d *Discovery) Overview(ctx context.Context, id string) (DiscoveryOverview, error) {
	st, err := d.svc.Load(ctx, id)
	if err != nil {
		return DiscoveryOverview{}, err
	}
	out := DiscoveryOverview{Assessment: id, Scanners: []ScannerAgent{}, Runs: []RunView{}, Excluded: []Exclusion{}}
	for _, sc := range st.Discovery.Scanners {
		out.Scanners = append(out.Scanners, sc)
	}
	sort.Slice(out.Scanners, func(i, j int) bool { return out.Scanners[i].Agent < out.Scanners[j].Agent })
	for _, r := range st.Discovery.Runs {
		out.Runs = append(out.Runs, d.view(id, r))
	}
	for _, x := range st.Discovery.Excluded {
		out.Excluded = append(out.Excluded, x)
	}
	sort.Slice(out.Excluded, func(i, j int) bool { return out.Excluded[i].Address.Less(out.Excluded[j].Address) })
	return out, nil
}

func (d *Discovery) view(id string, r RunRecord) RunView {
	v := RunView{RunRecord: r}
	if lr := d.runs.get(id, r.Run); lr != nil {
		s := lr.status()
		v.Live = &s
	} else if r.State == RunRunning {
		v.State = RunLost
		v.Error = "the collector process that ran it stopped before the agent answered: run it again"
	}
	return v
}

// Run returns a run with its stored result; run "latest" names the newest recorded run.
func (d *Discovery) Run(ctx context.Context, id, run string) (RunDetail, error) {
	st, err := d.svc.Load(ctx, id)
	if err != nil {
		return RunDetail{}, err
	}
	r, err := st.run(run, false)
	if err != nil {
		return RunDetail{}, err
	}
	out := RunDetail{RunView: d.view(id, *r)}
	if r.State == RunRecorded {
		res, _, err := d.load(ctx, r)
		if err != nil {
			return RunDetail{}, err
		}
		out.Result = &res
	}
	return out, nil
}

// run finds a run by id; "latest" is the newest recorded run. recorded requires a stored
// result.
func (st *State) run(id string, recorded bool) (*RunRecord, error) {
	d := &st.Discovery
	if id == "latest" || id == "" {
		for i := len(d.Runs) - 1; i >= 0; i-- {
			if d.Runs[i].State == RunRecorded {
				return &d.Runs[i], nil
			}
		}
		return nil, fail(ErrNotFound, "run_not_found", "assessment %s has no recorded discovery run: start one with 'assessment discovery run %s --targets …'", st.ID, st.ID)
	}
	r, ok := d.Run(id)
	if !ok {
		return nil, fail(ErrNotFound, "run_not_found", "discovery run %q is not in assessment %s: list them with 'assessment discovery list %s'", id, st.ID, st.ID)
	}
	if recorded && r.State != RunRecorded {
		return nil, fail(ErrConflict, "run_not_recorded", "discovery run %s of assessment %s has no stored result (%s): wait for it or run it again", id, st.ID, r.State)
	}
	return r, nil
}

// load reads a recorded run's result and exposure findings from its stream and checks them
// against the hashes the assessment's history holds.
func (d *Discovery) load(ctx context.Context, r *RunRecord) (discovery.Result, exposure.Report, error) {
	sum := r.Summary
	evs, err := d.svc.store.ListEvents(ctx, sum.Stream, 0)
	if err != nil {
		return discovery.Result{}, exposure.Report{}, fmt.Errorf("discovery run %s: read its stream: %w", r.Run, err)
	}
	var res discovery.Result
	var rep exposure.Report
	found := 0
	for _, e := range evs {
		var want string
		var into any
		switch e.Kind {
		case KindDiscoveryResult:
			want, into = sum.Result, &res
		case KindExposureFindings:
			want, into = sum.Exposure, &rep
		default:
			continue
		}
		if got := sha(e.Payload); got != want {
			return discovery.Result{}, exposure.Report{}, fmt.Errorf("discovery run %s: the stored %s hashes to %s, the assessment's history recorded %s: the database was edited; run 'assessment verify'", r.Run, e.Kind, got, want)
		}
		if err := json.Unmarshal(e.Payload, into); err != nil {
			return discovery.Result{}, exposure.Report{}, fmt.Errorf("discovery run %s: decode %s: %w", r.Run, e.Kind, err)
		}
		found++
	}
	if found != 2 {
		return discovery.Result{}, exposure.Report{}, fmt.Errorf("discovery run %s: its stream %s lacks the result or the findings: the database was edited", r.Run, sum.Stream)
	}
	return res, rep, nil
}

// ReconcileView compares a run's hosts with the scope (discovery.ReconcileScanned over the
// scope devices, those recorded after the freeze included): hosts in neither, devices not seen,
// counts per build; hosts marked out of scope are listed apart with their reason.
type ReconcileView struct {
	Run    string           `json:"run"`
	Report discovery.Report `json:"report"`
	// Excluded are the up hosts in no scope entry that the assessor marked out of scope.
	Excluded []ExcludedHost `json:"excluded"`
	// Problems are scope addresses that could not be compared.
	Problems []string `json:"problems,omitempty"`
}

// ExcludedHost is a found host marked out of scope, with the exclusion.
type ExcludedHost struct {
	Host      discovery.Host `json:"host"`
	Exclusion Exclusion      `json:"exclusion"`
}

// Reconcile compares a recorded run ("latest": the newest) with the scope.
func (d *Discovery) Reconcile(ctx context.Context, id, run string) (ReconcileView, error) {
	st, err := d.svc.Load(ctx, id)
	if err != nil {
		return ReconcileView{}, err
	}
	r, err := st.run(run, true)
	if err != nil {
		return ReconcileView{}, err
	}
	res, _, err := d.load(ctx, r)
	if err != nil {
		return ReconcileView{}, err
	}
	return st.reconcile(r.Run, res), nil
}

func (st *State) reconcile(run string, res discovery.Result) ReconcileView {
	scope, problems := st.discoveryScope()
	rep := discovery.ReconcileScanned(scope, res.Hosts, res.Run.Scanned)
	v := ReconcileView{Run: run, Excluded: []ExcludedHost{}, Problems: problems}
	unknown := []discovery.Host{}
	for _, h := range rep.Unknown {
		if x, ok := st.excluded(h); ok {
			v.Excluded = append(v.Excluded, ExcludedHost{Host: h, Exclusion: x})
			continue
		}
		unknown = append(unknown, h)
	}
	rep.Unknown = unknown
	if n := len(rep.Builds); n > 0 && rep.Builds[n-1].Build == discovery.UnknownBuild {
		rep.Builds[n-1].Found = len(unknown)
	}
	v.Report = rep
	return v
}

// discoveryScope is the scope as discovery compares it: the scope devices and those recorded
// after the freeze.
func (st *State) discoveryScope() ([]discovery.ScopeDevice, []string) {
	var out []discovery.ScopeDevice
	var problems []string
	for _, d := range append(append([]ScopeDevice(nil), st.Scope...), st.Changes...) {
		sd := discovery.ScopeDevice{ID: d.ID, Build: d.Build, Hostname: d.Hostname}
		for _, a := range d.Addresses {
			ip, err := netip.ParseAddr(a)
			if err != nil {
				problems = append(problems, fmt.Sprintf("device %s: address %q is not an IP address: it was not compared", d.ID, a))
				continue
			}
			sd.Addresses = append(sd.Addresses, ip)
		}
		out = append(out, sd)
	}
	return out, problems
}

func (st *State) excluded(h discovery.Host) (Exclusion, bool) {
	for _, a := range h.Addresses {
		if x, ok := st.Discovery.Excluded[a.Unmap()]; ok {
			return x, true
		}
	}
	return Exclusion{}, false
}

// ExposureView is a run's exposure findings per host, with unverified leads kept apart from
// the confirmed findings.
type ExposureView struct {
	Run      string        `json:"run"`
	Snapshot string        `json:"snapshot"`
	Date     calendar.Date `json:"date"`
	// Counts are the findings per class.
	Counts   map[string]int `json:"counts"`
	Hosts    []HostExposure `json:"hosts"`
	Problems []string       `json:"problems,omitempty"`
}

// HostExposure is one host's findings by class.
type HostExposure struct {
	Addresses []netip.Addr `json:"addresses"`
	Hostnames []string     `json:"hostnames,omitempty"`
	// Device is the scope entry the host matched, "" when it is in no entry.
	Device string `json:"device,omitempty"`
	// Excluded is set when the assessor marked the host out of scope.
	Excluded *Exclusion `json:"excluded,omitempty"`
	// Vulnerable: the evidence pins the distribution package and advisories affect it.
	Vulnerable []exposure.Finding `json:"vulnerable"`
	// Unsupported: past its upstream end of life.
	Unsupported []exposure.Finding `json:"unsupported"`
	// Unverified are leads, never confirmed: the banner does not pin the package; confirm them
	// with an agent inventory of the host.
	Unverified []exposure.Finding `json:"unverified"`
}

// Exposure returns a recorded run's ("latest": the newest) stored exposure findings.
func (d *Discovery) Exposure(ctx context.Context, id, run string) (ExposureView, error) {
	st, err := d.svc.Load(ctx, id)
	if err != nil {
		return ExposureView{}, err
	}
	r, err := st.run(run, true)
	if err != nil {
		return ExposureView{}, err
	}
	res, rep, err := d.load(ctx, r)
	if err != nil {
		return ExposureView{}, err
	}
	rec := st.reconcile(r.Run, res)
	device := map[netip.Addr]string{}
	for _, m := range rec.Report.Matches {
		device[m.Host] = m.DeviceID
	}
	v := ExposureView{Run: r.Run, Snapshot: rep.Snapshot, Date: rep.Date, Counts: map[string]int{}, Hosts: []HostExposure{}, Problems: rep.Problems}
	for _, h := range rep.Hosts {
		he := HostExposure{Addresses: h.Addresses, Hostnames: h.Hostnames, Vulnerable: []exposure.Finding{}, Unsupported: []exposure.Finding{}, Unverified: []exposure.Finding{}}
		if len(h.Addresses) > 0 {
			he.Device = device[h.Addresses[0]]
		}
		if x, ok := st.excluded(discovery.Host{Addresses: h.Addresses}); ok {
			he.Excluded = &x
		}
		for _, f := range h.Findings {
			v.Counts[f.Class]++
			switch f.Class {
			case exposure.ClassVulnerable:
				he.Vulnerable = append(he.Vulnerable, f)
			case exposure.ClassUnsupported:
				he.Unsupported = append(he.Unsupported, f)
			default:
				he.Unverified = append(he.Unverified, f)
			}
		}
		v.Hosts = append(v.Hosts, he)
	}
	return v, nil
}
