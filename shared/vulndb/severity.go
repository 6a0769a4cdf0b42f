package vulndb

import (
	"fmt"
	"strings"

	cvss30 "github.com/pandatix/go-cvss/30"
	cvss31 "github.com/pandatix/go-cvss/31"
)

// CVSS3 is a CVSS v3.x base score computed from its vector.
type CVSS3 struct {
	Vector string  `json:"vector"`
	Score  float64 `json:"score"`
}

// ScoreCVSS3 computes the base score of a CVSS v3.0 or v3.1 vector ("CVSS:3.1/AV:N/...") with
// github.com/pandatix/go-cvss. Other versions and malformed vectors are an error naming the vector.
func ScoreCVSS3(vector string) (CVSS3, error) {
	switch {
	case strings.HasPrefix(vector, "CVSS:3.1/"):
		c, err := cvss31.ParseVector(vector)
		if err != nil {
			return CVSS3{}, fmt.Errorf("CVSS vector %q: %w", vector, err)
		}
		return CVSS3{Vector: vector, Score: c.BaseScore()}, nil
	case strings.HasPrefix(vector, "CVSS:3.0/"):
		c, err := cvss30.ParseVector(vector)
		if err != nil {
			return CVSS3{}, fmt.Errorf("CVSS vector %q: %w", vector, err)
		}
		return CVSS3{Vector: vector, Score: c.BaseScore()}, nil
	}
	return CVSS3{}, fmt.Errorf("CVSS vector %q is not CVSS v3.0 or v3.1", vector)
}

// maxCVSS3 returns the highest CVSS v3 base score among the CVSS_V3 entries (the conservative
// choice when a record carries several, as Ubuntu records do), and the vectors that failed.
func maxCVSS3(sevs []Severity) (best *CVSS3, bad []error) {
	for _, s := range sevs {
		if s.Type != "CVSS_V3" {
			continue
		}
		c, err := ScoreCVSS3(s.Score)
		if err != nil {
			bad = append(bad, err)
			continue
		}
		if best == nil || c.Score > best.Score {
			best = &c
		}
	}
	return best, bad
}

// Vendor is a vendor's own severity word and where in the record it was found.
type Vendor struct {
	Severity string `json:"severity"`
	Source   string `json:"source"`
}

// VendorSeverity returns the vendor's textual severity for the entry aff of record r, looking
// in order at the entry's ecosystem_specific (Debian "urgency", Ubuntu "ubuntu_priority",
// "severity"), the record's "Ubuntu" severity entries, the entry's and then the record's
// database_specific "severity". Debian's "not yet assigned" is no severity. ok is false when
// the record gives none.
func VendorSeverity(r *Record, aff *Affected) (v Vendor, ok bool) {
	try := func(word, source string) bool {
		w := strings.ToLower(strings.TrimRight(strings.TrimSpace(word), "*"))
		if w == "" || w == "not yet assigned" || w == "unknown" {
			return false
		}
		v = Vendor{Severity: w, Source: source}
		return true
	}
	if es := aff.EcosystemSpecific; es != nil {
		if try(es.Urgency, "ecosystem_specific.urgency") || try(es.UbuntuPriority, "ecosystem_specific.ubuntu_priority") ||
			try(str(es.Severity), "ecosystem_specific.severity") {
			return v, true
		}
	}
	for _, s := range append(append([]Severity(nil), aff.Severity...), r.Severity...) {
		if s.Type == "Ubuntu" && try(s.Score, "severity[type=Ubuntu]") {
			return v, true
		}
	}
	if ds := aff.DatabaseSpecific; ds != nil && try(str(ds.Severity), "affected.database_specific.severity") {
		return v, true
	}
	if ds := r.DatabaseSpecific; ds != nil && try(str(ds.Severity), "database_specific.severity") {
		return v, true
	}
	return Vendor{}, false
}

func str(v any) string {
	s, _ := v.(string) // severity objects that are not a word carry no vendor word
	return s
}
