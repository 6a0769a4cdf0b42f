package assess

import (
	"encoding/json"
	"net/netip"
	"time"

	"github.com/ceplus/ceplus/shared/discovery"
)

// Event kinds of network discovery in an assessment stream (docs/discovery.md).
const (
	KindScannerAdded      = "scanner_added"
	KindScannerRemoved    = "scanner_removed"
	KindDiscoveryStarted  = "discovery_started"
	KindDiscoveryRecorded = "discovery_recorded"
	KindDiscoveryFailed   = "discovery_failed"
	KindHostExcluded      = "host_excluded"
)

// Event kinds of a run's own stream (DiscoveryStream): the result and its exposure findings.
// They live apart from the assessment stream so that replaying an assessment never decodes a
// large result; the assessment's discovery_recorded event holds the SHA-256 of both payloads.
const (
	KindDiscoveryResult  = "discovery_result"
	KindExposureFindings = "exposure_findings"
)

// DiscoveryStream is the stream that holds a discovery run's result and exposure findings.
// Assessment ids cannot contain '/', so it never collides with an assessment.
func DiscoveryStream(assessment, run string) string { return assessment + "/discovery/" + run }

// Run states of a discovery run.
const (
	RunRunning  = "running"
	RunRecorded = "recorded"
	RunFailed   = "failed"
	// RunLost: the run was started by a collector process that stopped before it ended.
	RunLost = "lost"
)

type scannerAdded struct {
	Agent    string         `json:"agent"`
	Hostname string         `json:"hostname,omitempty"`
	Allow    []netip.Prefix `json:"allow"`
}

type scannerRemoved struct {
	Agent string `json:"agent"`
}

type discoveryStarted struct {
	Run   string       `json:"run"`
	Agent string       `json:"agent"`
	Job   DiscoveryJob `json:"job"`
	// Allowed is the scanner's allow-list the job was checked against and sent with.
	Allowed []netip.Prefix `json:"allowed"`
}

// RunSummary is what the assessment's history keeps of a stored run: counts, and the SHA-256
// of the result and of the exposure findings kept in the run's own stream.
type RunSummary struct {
	Run        string            `json:"run"`
	Agent      string            `json:"agent"`
	Outcome    discovery.Outcome `json:"outcome"`
	HostsUp    int               `json:"hosts_up"`
	HostsDown  int               `json:"hosts_down"`
	HostsTotal int               `json:"hosts_total"`
	Services   int               `json:"services"`
	Stream     string            `json:"stream"`
	Result     string            `json:"result_sha256"`
	Exposure   string            `json:"exposure_sha256"`
	// Snapshot is the pinned snapshot the exposure findings were looked up in.
	Snapshot string `json:"snapshot"`
	// Findings counts the exposure findings per class (vulnerable, unverified, unsupported).
	Findings map[string]int `json:"findings"`
	// Error is the agent's or the collector's error when the run did not succeed.
	Error string `json:"error,omitempty"`
}

type discoveryFailed struct {
	Run   string `json:"run"`
	Agent string `json:"agent"`
	Error string `json:"error"`
}

type hostExcluded struct {
	Run     string     `json:"run"`
	Address netip.Addr `json:"address"`
	Reason  string     `json:"reason"`
}

// foundHostAdded is the payload of the scope_added event that adds a discovered host: the
// scope_added fields plus the run and address it came from.
type foundHostAdded struct {
	scopeAdded
	Run     string     `json:"run"`
	Address netip.Addr `json:"address"`
}

// DiscoveryState is what the history says about discovery: the scanners, the runs and the
// hosts marked out of scope.
type DiscoveryState struct {
	// Scanners are the agents marked as scanners, by agent id.
	Scanners map[string]ScannerAgent
	Runs     []RunRecord
	runIndex map[string]int
	// Excluded are the hosts marked out of scope, by address.
	Excluded map[netip.Addr]Exclusion
}

// ScannerAgent is an agent the assessor marked as a scanner, with its allow-list.
type ScannerAgent struct {
	Agent    string         `json:"agent"`
	Hostname string         `json:"hostname,omitempty"`
	Allow    []netip.Prefix `json:"allow"`
	Since    time.Time      `json:"since"`
}

// RunRecord is a discovery run as the history records it.
type RunRecord struct {
	Run       string         `json:"run"`
	Agent     string         `json:"agent"`
	Job       DiscoveryJob   `json:"job"`
	Allowed   []netip.Prefix `json:"allowed"`
	StartedAt time.Time      `json:"started_at"`
	// State is running, recorded or failed (lost is decided by the reader).
	State   string      `json:"state"`
	EndedAt time.Time   `json:"ended_at,omitzero"`
	Summary *RunSummary `json:"summary,omitempty"`
	Error   string      `json:"error,omitempty"`
}

// Exclusion is a host the assessor marked out of scope.
type Exclusion struct {
	Address netip.Addr `json:"address"`
	Reason  string     `json:"reason"`
	Run     string     `json:"run"`
	At      time.Time  `json:"at"`
}

// Run returns the run with the id.
func (d *DiscoveryState) Run(id string) (*RunRecord, bool) {
	i, ok := d.runIndex[id]
	if !ok {
		return nil, false
	}
	return &d.Runs[i], true
}

// applyDiscovery applies a discovery event to the state.
func (st *State) applyDiscovery(at time.Time, kind string, payload []byte) error {
	d := &st.Discovery
	if d.Scanners == nil {
		d.Scanners, d.runIndex, d.Excluded = map[string]ScannerAgent{}, map[string]int{}, map[netip.Addr]Exclusion{}
	}
	switch kind {
	case KindScannerAdded:
		var p scannerAdded
		if err := json.Unmarshal(payload, &p); err != nil {
			return err
		}
		d.Scanners[p.Agent] = ScannerAgent{Agent: p.Agent, Hostname: p.Hostname, Allow: p.Allow, Since: at}
	case KindScannerRemoved:
		var p scannerRemoved
		if err := json.Unmarshal(payload, &p); err != nil {
			return err
		}
		delete(d.Scanners, p.Agent)
	case KindDiscoveryStarted:
		var p discoveryStarted
		if err := json.Unmarshal(payload, &p); err != nil {
			return err
		}
		d.runIndex[p.Run] = len(d.Runs)
		d.Runs = append(d.Runs, RunRecord{Run: p.Run, Agent: p.Agent, Job: p.Job, Allowed: p.Allowed, StartedAt: at, State: RunRunning})
	case KindDiscoveryRecorded:
		var p RunSummary
		if err := json.Unmarshal(payload, &p); err != nil {
			return err
		}
		if r, ok := d.Run(p.Run); ok {
			r.State, r.EndedAt, r.Summary, r.Error = RunRecorded, at, &p, p.Error
		}
	case KindDiscoveryFailed:
		var p discoveryFailed
		if err := json.Unmarshal(payload, &p); err != nil {
			return err
		}
		if r, ok := d.Run(p.Run); ok {
			r.State, r.EndedAt, r.Error = RunFailed, at, p.Error
		}
	case KindHostExcluded:
		var p hostExcluded
		if err := json.Unmarshal(payload, &p); err != nil {
			return err
		}
		d.Excluded[p.Address] = Exclusion{Address: p.Address, Reason: p.Reason, Run: p.Run, At: at}
	}
	return nil
}
