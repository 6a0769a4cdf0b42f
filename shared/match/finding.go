package match

import (
	"github.com/ceplus/ceplus/shared/eol"
	"github.com/ceplus/ceplus/shared/rules"
	"github.com/ceplus/ceplus/shared/vulndb"
)

// Class is a finding's outcome under the CE+ 14-day rule (RULES.md §1.4).
type Class string

// Classes: the rules engine's (shared/rules), plus NeedsDecision where the advisory data cannot
// give the fix release date the rule needs.
const (
	ClassFail                = Class(rules.ClassFail)
	ClassWithinGrace         = Class(rules.ClassWithinGrace)
	ClassNoFix               = Class(rules.ClassNoFix)
	ClassLow                 = Class(rules.ClassLow)
	ClassUnsupported         = Class(rules.ClassUnsupported)
	ClassNeedsDecision Class = "needs_assessor_decision"
)

// Finding kinds.
const (
	KindAdvisory = "advisory"
	// KindPendingUpdate is a security update the OS reports as pending that no advisory explains.
	KindPendingUpdate = "pending_update"
)

// Date flags say why a finding's fix date is absent or is not a fix release date.
const (
	DateMissing     = "missing"
	DatePlaceholder = "placeholder"
	DateMalformed   = "malformed"
	// DateCVERecord marks a date taken from a per-CVE record (CVE-*, DEBIAN-CVE-*,
	// UBUNTU-CVE-*): its published date is the vulnerability's, not the fix's release.
	DateCVERecord = "cve_record"
)

// Severity is what the advisories say about how bad the vulnerability is.
type Severity struct {
	// CVSS3 is the highest CVSS v3.x base score, computed from the vector, and the record
	// carrying it.
	CVSS3       *vulndb.CVSS3 `json:"cvss3,omitempty"`
	CVSS3Record string        `json:"cvss3_record,omitempty"`
	// Vendor is the vendor's own word (Debian urgency, Ubuntu priority, database_specific
	// severity) and the record carrying it.
	Vendor       *vulndb.Vendor `json:"vendor,omitempty"`
	VendorRecord string         `json:"vendor_record,omitempty"`
}

// Evidence is one matched record's contribution to a finding: the fix it names for this
// package and when that fix was released.
type Evidence struct {
	Record string `json:"record"`
	Fixed  string `json:"fixed,omitempty"`
	// FixDate is the record's `published` as a UTC date (YYYY-MM-DD) when usable.
	FixDate  string `json:"fix_date,omitempty"`
	DateFlag string `json:"date_flag,omitempty"`
	// Modified is the record's `modified` date; for per-CVE records the fix was released on or
	// before it.
	Modified string `json:"modified,omitempty"`
	Class    Class  `json:"class"`
}

// Finding is one vulnerability (alias-closed) affecting one installed package, or one pending
// security update no advisory explains.
type Finding struct {
	Kind string `json:"kind"`
	// IDs are every id of the vulnerability: the matched records' ids, their alias closure and
	// the CVEs the advisories name (upstream, related), sorted.
	IDs           []string `json:"ids"`
	Package       string   `json:"package"`
	SourcePackage string   `json:"source_package,omitempty"`
	Ecosystem     string   `json:"ecosystem"`
	Arch          string   `json:"arch,omitempty"`
	Installed     string   `json:"installed"`
	// Fixed is the version to install: the highest fixed version among the evidence, empty
	// when no fix is released.
	Fixed    string   `json:"fixed,omitempty"`
	Severity Severity `json:"severity"`
	// FixDate, FixDateSource and FixDateFlag come from the evidence that decided the class.
	FixDate       string     `json:"fix_date,omitempty"`
	FixDateSource string     `json:"fix_date_source,omitempty"`
	FixDateFlag   string     `json:"fix_date_flag,omitempty"`
	Class         Class      `json:"class"`
	Evidence      []Evidence `json:"evidence"`
	// Reason explains a finding that is not about a missing update: for an unsupported OS,
	// which support period applied and when it ended.
	Reason string `json:"reason,omitempty"`
}

// MissingUpdate groups the findings with a fix per source package: the update to install.
type MissingUpdate struct {
	Ecosystem     string   `json:"ecosystem"`
	SourcePackage string   `json:"source_package"`
	Packages      []string `json:"packages"`
	Installed     string   `json:"installed"`
	Fixed         string   `json:"fixed"`
	IDs           []string `json:"ids"`
	Class         Class    `json:"class"`
}

// Problem is a package the matcher could not check, with the reason.
type Problem struct {
	Package   string `json:"package"`
	Ecosystem string `json:"ecosystem"`
	Version   string `json:"version"`
	Reason    string `json:"reason"`
}

// Result is one inventory matched against one snapshot on one test date.
type Result struct {
	Snapshot       string          `json:"snapshot"`
	Inventory      string          `json:"inventory"`
	Findings       []Finding       `json:"findings"`
	MissingUpdates []MissingUpdate `json:"missing_updates"`
	Problems       []Problem       `json:"problems"`
	// OSSupport is the device's OS release support status on the test date (RULES.md §1.4);
	// nil when the release is not in the lifecycle data, and OSSupportUnknown says why.
	OSSupport        *eol.Status `json:"os_support,omitempty"`
	OSSupportUnknown string      `json:"os_support_unknown,omitempty"`
}
