package assess

import (
	"time"

	"github.com/ceplus/ceplus/collector/internal/sample"
	"github.com/ceplus/ceplus/shared/rules"
)

// Event kinds of an assessment stream. The contract v1 kinds (scope_frozen, sample_drawn,
// sample_declared, device_tested, sample2_refused, assessor_decision) keep the contract's names.
const (
	KindCreated     = "assessment_created"
	KindScopeAdded  = "scope_added"
	KindAgentLinked = "agent_linked"
	KindFrozen      = string(rules.EventScopeFrozen)
	KindCommitted   = "sample_committed"
	KindDrawn       = string(rules.EventSampleDrawn)
	KindDeclared    = string(rules.EventSampleDeclared)
	KindScanStarted = "scan_started"
	KindTested      = string(rules.EventDeviceTested)
	KindScanFailed  = "scan_failed"
	KindRefused     = string(rules.EventSample2Refused)
	KindDecision    = string(rules.EventAssessorDecision)
	KindVerdict     = "verdict_recorded"
)

// Settings are fixed when an assessment is created: they are its header's settings and the
// payload of its first event.
type Settings struct {
	Title        string `json:"title"`
	Organisation string `json:"organisation"`
	// Timezone is an IANA zone name; "" means Europe/London.
	Timezone string `json:"timezone"`
	// Holidays replaces the England and Wales bank holidays when non-nil (YYYY-MM-DD dates).
	Holidays []string `json:"holidays"`
	// TestAllTypes lists the device types tested in full (policy `all`), sorted.
	TestAllTypes []string `json:"test_all_types"`
	// Snapshot is the hash of the pinned vulnerability-database snapshot.
	Snapshot string `json:"snapshot"`
}

// ScopeDevice is one in-scope device with what identifies it on the network.
type ScopeDevice struct {
	ID        string   `json:"id"`
	Type      string   `json:"type"`
	Build     string   `json:"build"`
	Hostname  string   `json:"hostname,omitempty"`
	MachineID string   `json:"machine_id,omitempty"`
	Addresses []string `json:"addresses,omitempty"`
	// Agent is the id of the enrolled agent that reports for the device, "" when none.
	Agent string `json:"agent,omitempty"`
}

// Rules returns the device as the rules engine sees it.
func (d ScopeDevice) Rules() rules.Device {
	return rules.Device{ID: d.ID, Type: d.Type, Build: d.Build}
}

type scopeAdded struct {
	// Source is "csv" or "agents".
	Source  string        `json:"source"`
	Devices []ScopeDevice `json:"devices"`
	// AfterFreeze marks a scope change recorded after the freeze: the devices are not part of
	// the frozen scope that draws and the verdict use.
	AfterFreeze bool `json:"after_freeze,omitempty"`
}

type agentLinked struct {
	Device string `json:"device"`
	Agent  string `json:"agent"`
	// By says how the agent was matched to the entry: scope_entry, machine_id or hostname.
	By string `json:"by"`
}

type frozen struct {
	ScopeHash string `json:"scope_hash"`
	Devices   int    `json:"devices"`
}

type committed struct {
	Sample     int    `json:"sample"`
	Algorithm  string `json:"algorithm"`
	Commitment string `json:"commitment"`
	ScopeHash  string `json:"scope_hash"`
}

type drawn struct {
	Sample int `json:"sample"`
	// Devices lists every drawn device, sorted (the contract's sample_drawn devices).
	Devices []string      `json:"devices"`
	Result  sample.Result `json:"result"`
}

type declared struct {
	Sample  int      `json:"sample"`
	Devices []string `json:"devices"`
}

type scanStarted struct {
	Scan    string   `json:"scan"`
	Sample  int      `json:"sample"`
	Devices []string `json:"devices"`
}

// tested is the payload of a device_tested event.
type tested struct {
	Sample   int             `json:"sample"`
	Device   string          `json:"device"`
	TestedAt time.Time       `json:"tested_at"`
	Findings []rules.Finding `json:"findings"`
	// Source is "agent" (a scan matched against Snapshot) or "import" (results imported).
	Source    string `json:"source"`
	Scan      string `json:"scan,omitempty"`
	Snapshot  string `json:"snapshot,omitempty"`
	Inventory string `json:"inventory,omitempty"`
	// Questions name findings whose class the advisory data cannot decide (the matcher's
	// needs_assessor_decision): the rules see them without a fix date.
	Questions []string `json:"questions,omitempty"`
}

type scanFailed struct {
	Scan   string `json:"scan"`
	Sample int    `json:"sample"`
	Device string `json:"device"`
	Error  string `json:"error"`
}

type refused struct {
	Role   string `json:"role"`
	Reason string `json:"reason,omitempty"`
}

type decision struct {
	Question string `json:"question"`
	Decision string `json:"decision"`
}

type verdictRecorded struct {
	Outcome       rules.Outcome `json:"outcome"`
	CECertificate string        `json:"ce_certificate"`
	// Seq is the last event the verdict was computed from.
	Seq int64 `json:"seq"`
}
