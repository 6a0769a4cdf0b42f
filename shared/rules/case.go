package rules

import (
	"time"

	"github.com/ceplus/ceplus/shared/calendar"
)

// Contract is the version of the rules contract this package implements
// (shared/contracts/README.md).
const Contract = 1

// Scheme names a certification scheme of the contract.
type Scheme string

// The schemes of contract v1.
const (
	SchemeCEPlus Scheme = "ceplus"
	SchemeEUCC   Scheme = "eucc"
	SchemeEIoT   Scheme = "eiot"
)

// Case is one decoded contract case: exactly one of CEPlus, EUCC and EIoT is set, the one Scheme
// names.
type Case struct {
	Scheme Scheme
	CEPlus *CEPlusCase
	EUCC   *EUCCCase
	EIoT   *EIoTCase
}

// EventKind is the kind of a CE+ assessment event.
type EventKind string

// The event kinds of contract v1.
const (
	EventScopeFrozen      EventKind = "scope_frozen"
	EventSampleDrawn      EventKind = "sample_drawn"
	EventSampleDeclared   EventKind = "sample_declared"
	EventDeviceTested     EventKind = "device_tested"
	EventSample2Refused   EventKind = "sample2_refused"
	EventAssessorDecision EventKind = "assessor_decision"
)

// CEPlusCase is the history of one CE+ assessment: the frozen scope, the events and the policy.
// It is what a server passes to EvaluateCEPlus from its store.
type CEPlusCase struct {
	// Now is the instant the verdict is for; events after it are ignored.
	Now time.Time
	// Calendar gives the assessment's time zone and holidays; nil means calendar.Default()
	// (Europe/London, England and Wales bank holidays).
	Calendar *calendar.Calendar
	// TestAllTypes lists the device types tested in full rather than sampled (policy `all`).
	TestAllTypes []string
	// Devices is the frozen scope.
	Devices []Device
	// Events is the assessment's history, in any order.
	Events []Event
}

// Event is one entry of a CE+ assessment's history. Which fields are used depends on Kind:
// Sample and Devices for sample_drawn and sample_declared; Sample, Device and Findings for
// device_tested; Question and Decision for assessor_decision.
type Event struct {
	At       time.Time
	Kind     EventKind
	Sample   int
	Devices  []string
	Device   string
	Findings []Finding
	Question string
	Decision string
}

// Finding is one missing security update or unsupported piece of software found on a device by
// a test (RULES.md §1.4).
type Finding struct {
	// IDs are the vulnerability identifiers with all aliases (CVE, DSA/DLA, USN, GHSA, KB…).
	IDs []string `json:"ids"`
	// Package, Installed and Fixed name the package or product, the installed version and the
	// version with the fix (the missing update).
	Package   string `json:"package,omitempty"`
	Installed string `json:"installed,omitempty"`
	Fixed     string `json:"fixed,omitempty"`
	// Severity is nil when the vendor gives no severity (treated as high).
	Severity *Severity `json:"severity,omitempty"`
	// FixReleased is the date the vendor released the fix; nil when no fix exists yet.
	FixReleased *calendar.Date `json:"fix_released,omitempty"`
	// Unsupported marks software its vendor no longer supports; it fails the device.
	Unsupported bool `json:"unsupported,omitempty"`
}

// Severity is a finding's severity: a CVSS v3 base score, a vendor rating, or both.
type Severity struct {
	CVSS3  *float64 `json:"cvss3,omitempty"`
	Vendor string   `json:"vendor,omitempty"` // critical, high, medium or low
}

// VendorSeverities lists the accepted vendor severity ratings.
var VendorSeverities = []string{"critical", "high", "medium", "low"}

// EUCCCase is one potential vulnerability of a product with an EUCC certificate (RULES.md §2).
type EUCCCase struct {
	Now      time.Time
	Calendar *calendar.Calendar // nil means calendar.Default()
	// AttackPotential is the ISO/IEC 18045 B.6 attack potential (0 or more).
	AttackPotential int
	// AVAVAN is the certificate's AVA_VAN level, 1–5.
	AVAVAN int
	// Confirmed is the date the impact analysis confirmed a possible impact on conformity.
	Confirmed calendar.Date
	// ActivelyExploited marks a vulnerability known to be exploited: analyse at once.
	ActivelyExploited bool
	// MutualAgreementDays is the recorded agreement for a mutual-agreement deadline; nil when none
	// is recorded (then 90 days).
	MutualAgreementDays *int
	// Extensions are the extension requests made to the national authority.
	Extensions []Extension
}

// ExtensionAnswer is the national authority's answer to an extension request.
type ExtensionAnswer string

// The answers to an extension request; AnswerNone means no answer (beyond acknowledgement) yet.
const (
	AnswerNone    ExtensionAnswer = ""
	AnswerGranted ExtensionAnswer = "granted"
	AnswerRefused ExtensionAnswer = "refused"
)

// Extension is one request to extend an EUCC impact-analysis deadline.
type Extension struct {
	Requested calendar.Date
	Days      int
	Answer    ExtensionAnswer
}

// Triage is an e-IoT-SCS triage level.
type Triage string

// The e-IoT-SCS triage levels (RULES.md §3).
const (
	TriageRed   Triage = "red"
	TriageAmber Triage = "amber"
	TriageGreen Triage = "green"
	TriageWhite Triage = "white"
)

// EIoTCase is one vulnerability notice to the vendor of an e-IoT-SCS certified product.
type EIoTCase struct {
	Now      time.Time
	Calendar *calendar.Calendar // nil means calendar.Default()
	Triage   Triage
	// Notified is when the notice was sent; a re-triage is a new notice and a new case.
	Notified time.Time
	// VendorDeclinedFix records that the vendor decided not to fix the vulnerability.
	VendorDeclinedFix bool
}

func calendarOrDefault(c *calendar.Calendar) *calendar.Calendar {
	if c == nil {
		return calendar.Default()
	}
	return c
}
