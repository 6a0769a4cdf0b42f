package register

import (
	"time"

	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/ceplus/ceplus/shared/rules"
)

// Scheme is the certification scheme of the product a record is about.
type Scheme string

// The schemes the register handles.
const (
	SchemeEUCC Scheme = "eucc" // EUCC, with the certificate's AVA_VAN level
	SchemeEIoT Scheme = "eiot" // Eurosmart e-IoT-SCS, with its level (basic or substantial)
)

// Status is where a record is in the process.
type Status string

// The statuses, in process order.
const (
	StatusReceived  Status = "received"  // recorded; impact analysis not yet confirmed
	StatusConfirmed Status = "confirmed" // the impact analysis confirmed a possible impact: clocks run
	StatusReported  Status = "reported"  // the impact analysis report was delivered
	StatusExited    Status = "exited"    // the process stopped early (ExitReason); closed
	StatusClosed    Status = "closed"    // closed after the report
)

// ExitReason says why the process stopped before an impact analysis report.
type ExitReason string

// The process exits (EUCC guidelines §3.2, §3.3; ISO/IEC 30111).
const (
	ExitDuplicate            ExitReason = "duplicate"              // merged into the original record as a further reference
	ExitNoSecurity           ExitReason = "no_security"            // no security implication within the certificate's scope
	ExitBeyondAssuranceLevel ExitReason = "beyond_assurance_level" // exploitable only beyond the certificate's AVA_VAN level
)

// NewRecord is what is recorded on receipt of a potential vulnerability.
type NewRecord struct {
	// ID is the record's identifier; empty means one is generated ("vr-" and 10 hex digits).
	ID      string `json:"id,omitempty"`
	Product string `json:"product"`
	Version string `json:"version"`
	// Vendor is the certificate holder (the organisation keeping the register).
	Vendor        string `json:"vendor,omitempty"`
	CertificateID string `json:"certificate_id"`
	Scheme        Scheme `json:"scheme"`
	// AVAVAN is the EUCC certificate's AVA_VAN level, 1–5.
	AVAVAN int `json:"ava_van,omitempty"`
	// EIoTLevel is the e-IoT-SCS certificate's level: basic or substantial.
	EIoTLevel string `json:"eiot_level,omitempty"`
	// Source is who or what reported it; Summary what was received, without exploitation details.
	Source   string    `json:"source"`
	Summary  string    `json:"summary"`
	Received time.Time `json:"received"`
	// Composite marks a potential impact on a composite product (dependent certificates).
	Composite bool `json:"composite,omitempty"`
	// VulnIDs are linked vulnerability identifiers (CVE…, also from collector findings).
	VulnIDs []string `json:"vulnerability_ids,omitempty"`
	// TLP is the record's Traffic Light Protocol label; empty means AMBER (e-IoT: the triage's).
	TLP TLP `json:"tlp,omitempty"`
	// ExploitationDetails are the means of exploitation, kept apart and redacted from exports
	// beyond the limited distribution.
	ExploitationDetails string `json:"exploitation_details,omitempty"`
	// TimeZone (IANA name, default Europe/London) and Holidays (nil: England and Wales bank
	// holidays) make the calendar the deadlines are counted in.
	TimeZone string          `json:"timezone,omitempty"`
	Holidays []calendar.Date `json:"holidays,omitempty"`
}

// Step is who did something and when.
type Step struct {
	Who  string    `json:"who"`
	At   time.Time `json:"at"`
	Note string    `json:"note,omitempty"`
}

// Record is the state of one register record, folded from its events, with its deadlines
// computed by the rules engine at the moment it was read.
type Record struct {
	NewRecord
	Status  Status `json:"status"`
	Created Step   `json:"created"`
	// Confirmed is the impact analysis confirming a possible impact on conformity (the date the
	// EUCC clock starts is in EUCC.Confirmed).
	Confirmed *Step `json:"confirmed,omitempty"`
	Exit      *Exit `json:"exit,omitempty"`
	// Report is the delivery of the impact analysis report.
	Report *Step `json:"report,omitempty"`
	// Closed is the closure that starts the retention period (an exit closes the record too).
	Closed *Step `json:"closed,omitempty"`
	// DependentHolders are the holders of dependent certificates told about it (composite).
	DependentHolders []HolderNotice `json:"dependent_holders,omitempty"`
	// References are further reports of the same vulnerability merged in as duplicates.
	References []Reference    `json:"references,omitempty"`
	EUCC       *EUCCFacts     `json:"eucc,omitempty"`
	EIoT       *EIoTFacts     `json:"eiot,omitempty"`
	Milestones []Milestone    `json:"milestones,omitempty"`
	Deadlines  Deadlines      `json:"deadlines"`
	History    []HistoryEntry `json:"history"`
	// Ignored lists stored events that did not apply to the state they met (two concurrent
	// changes), so that nothing stored is silently dropped.
	Ignored []string `json:"ignored,omitempty"`
}

// Exit is a process exit.
type Exit struct {
	Step
	Reason ExitReason `json:"reason"`
	// DuplicateOf is the original record of a duplicate.
	DuplicateOf string `json:"duplicate_of,omitempty"`
}

// HolderNotice records that the holder of a dependent certificate was told.
type HolderNotice struct {
	Holder string `json:"holder"`
	Step
}

// Reference is a further report of a vulnerability, merged from a duplicate record.
type Reference struct {
	RecordID            string    `json:"record_id"`
	Source              string    `json:"source"`
	Summary             string    `json:"summary"`
	Received            time.Time `json:"received"`
	VulnIDs             []string  `json:"vulnerability_ids,omitempty"`
	ExploitationDetails string    `json:"exploitation_details,omitempty"`
	Step
}

// EUCCFacts are the EUCC facts the impact-analysis deadline depends on.
type EUCCFacts struct {
	// AttackPotential is the ISO/IEC 18045 B.6 attack potential; nil until calculated.
	AttackPotential *int `json:"attack_potential"`
	// Confirmed is the date the impact analysis confirmed a possible impact: the clock starts.
	Confirmed         *calendar.Date `json:"confirmed"`
	ActivelyExploited bool           `json:"actively_exploited"`
	// MutualAgreementDays is the recorded agreement with the certification body; nil when none.
	MutualAgreementDays *int               `json:"mutual_agreement_days"`
	MutualAgreement     *Step              `json:"mutual_agreement,omitempty"`
	Extensions          []ExtensionRequest `json:"extensions,omitempty"`
}

// ExtensionRequest is one request to the national authority to extend the deadline.
type ExtensionRequest struct {
	// N numbers the requests 1, 2, 3… in the order they were recorded.
	N         int                   `json:"n"`
	Requested calendar.Date         `json:"requested"`
	Days      int                   `json:"days"`
	Answer    rules.ExtensionAnswer `json:"answer,omitempty"`
	Answered  *calendar.Date        `json:"answered,omitempty"`
	Recorded  Step                  `json:"recorded"`
	// AnswerRecorded is who recorded the answer and when.
	AnswerRecorded *Step `json:"answer_recorded,omitempty"`
}

// EIoTFacts are the e-IoT-SCS notices and the vendor's decision.
type EIoTFacts struct {
	// Notices are the triage notices in order; each voids the ones before it.
	Notices []Notice `json:"notices,omitempty"`
	// DeclinedFix records that the vendor decided not to fix.
	DeclinedFix *Step `json:"declined_fix,omitempty"`
}

// Notice is one triage notice to the vendor.
type Notice struct {
	N         int          `json:"n"`
	Triage    rules.Triage `json:"triage"`
	RiskLevel string       `json:"risk_level,omitempty"`
	Notified  time.Time    `json:"notified"`
	// Voided is true for every notice but the latest.
	Voided   bool `json:"voided"`
	Recorded Step `json:"recorded"`
}

// Milestone records that a deadline's work was done.
type Milestone struct {
	Kind DeadlineKind `json:"kind"`
	Done time.Time    `json:"done"`
	// Notice is the e-IoT notice in force when it was done (vendor response and permanent
	// mitigation restart with a new notice).
	Notice int `json:"notice,omitempty"`
	Step
}

// HistoryEntry is one event of the record's stream, described without exploitation details.
type HistoryEntry struct {
	Seq  int64     `json:"seq"`
	Kind string    `json:"kind"`
	Who  string    `json:"who"`
	At   time.Time `json:"at"`
	What string    `json:"what"`
	Hash string    `json:"hash"`
}

// Open reports whether the record is still being handled (neither exited nor closed).
func (r *Record) Open() bool { return r.Closed == nil }

// notice returns the notice in force, or nil.
func (r *Record) notice() *Notice {
	if r.EIoT == nil || len(r.EIoT.Notices) == 0 {
		return nil
	}
	return &r.EIoT.Notices[len(r.EIoT.Notices)-1]
}

// milestone returns the latest milestone of kind k (for a notice-bound kind, done under the
// notice in force), or nil.
func (r *Record) milestone(k DeadlineKind) *Milestone {
	n := 0
	if k.noticeBound() {
		if cur := r.notice(); cur != nil {
			n = cur.N
		}
	}
	for i := len(r.Milestones) - 1; i >= 0; i-- {
		m := &r.Milestones[i]
		if m.Kind == k && (!k.noticeBound() || m.Notice == n) {
			return m
		}
	}
	return nil
}
