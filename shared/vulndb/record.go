package vulndb

// Record is the part of an OSV record that matching and findings need. Decoding is lenient:
// fields it does not name are ignored here but kept verbatim in the snapshot's record bytes.
type Record struct {
	ID string `json:"id"`
	// Modified, Published and Withdrawn are RFC 3339 strings as written; see ParseTime.
	Modified  string     `json:"modified"`
	Published string     `json:"published"`
	Withdrawn string     `json:"withdrawn"`
	Aliases   []string   `json:"aliases"`
	Upstream  []string   `json:"upstream"`
	Related   []string   `json:"related"`
	Severity  []Severity `json:"severity"`
	Affected  []Affected `json:"affected"`
	// DatabaseSpecific holds the vendor severity some feeds put at the top level (GHSA).
	DatabaseSpecific *Specific `json:"database_specific"`
}

// Severity is one OSV severity entry: a CVSS vector or a vendor word ("Ubuntu": "medium").
type Severity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

// Affected is one OSV affected[] entry.
type Affected struct {
	Package           Package    `json:"package"`
	Severity          []Severity `json:"severity"`
	Ranges            []Range    `json:"ranges"`
	Versions          []string   `json:"versions"`
	EcosystemSpecific *Specific  `json:"ecosystem_specific"`
	DatabaseSpecific  *Specific  `json:"database_specific"`
}

// Package names the package an Affected entry is about.
type Package struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	Purl      string `json:"purl"`
}

// Range is one OSV range: ECOSYSTEM, SEMVER or GIT with its events.
type Range struct {
	Type   string  `json:"type"`
	Events []Event `json:"events"`
}

// Event is one OSV range event; exactly one field is set.
type Event struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

// Specific holds the vendor severity words found in ecosystem_specific and database_specific
// objects: Debian "urgency", Ubuntu "ubuntu_priority", GHSA and others "severity".
type Specific struct {
	Urgency        string `json:"urgency"`
	UbuntuPriority string `json:"ubuntu_priority"`
	Severity       any    `json:"severity"`
}
