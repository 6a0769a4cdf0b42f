package vulndb

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/osv-scalibr/semantic"
)

// entryCheck is the verdict on one affected[] entry.
type entryCheck struct {
	eco     Eco
	usable  bool   // indexable for matching
	unknown string // the ecosystem string when its base is not an OSV ecosystem
	skip    bool   // no package at all (an upstream GIT range): not an advisory for a package
	reason  string // why it is not usable
}

// checkEntry decides whether affected[i] can be matched: its ecosystem must parse, it must name
// a package, and every ECOSYSTEM or SEMVER range must start with an event and hold versions that
// parse in the ecosystem's order. GIT ranges are ignored (they describe commits, not packages).
func checkEntry(a *Affected) entryCheck {
	if a.Package.Ecosystem == "" && a.Package.Name == "" {
		return entryCheck{skip: true}
	}
	eco, err := ParseEco(a.Package.Ecosystem)
	if err != nil {
		if a.Package.Ecosystem != "" {
			return entryCheck{unknown: a.Package.Ecosystem, reason: fmt.Sprintf("ecosystem %q is not an OSV ecosystem", a.Package.Ecosystem)}
		}
		return entryCheck{reason: "affected entry has a package name but no ecosystem"}
	}
	c := entryCheck{eco: eco}
	if a.Package.Name == "" {
		c.reason = fmt.Sprintf("affected entry for %s has no package name", a.Package.Ecosystem)
		return c
	}
	matchable := len(a.Versions) > 0
	for ri, r := range a.Ranges {
		if r.Type != "ECOSYSTEM" && r.Type != "SEMVER" {
			continue
		}
		if err := checkRange(eco.Base, r); err != nil {
			c.reason = fmt.Sprintf("%s %s range %d: %v", a.Package.Ecosystem, a.Package.Name, ri, err)
			return c
		}
		matchable = true
	}
	if !matchable {
		c.reason = fmt.Sprintf("%s %s has neither versions nor an ECOSYSTEM/SEMVER range", a.Package.Ecosystem, a.Package.Name)
		return c
	}
	c.usable = true
	return c
}

func checkRange(base string, r Range) error {
	if len(r.Events) == 0 {
		return errors.New("no events")
	}
	intro := false
	for _, e := range r.Events {
		v, n := e.value()
		if n != 1 {
			return fmt.Errorf("event %+v sets %d fields, want exactly 1", e, n)
		}
		if e.Introduced != "" {
			intro = true
		}
		if e.Introduced == "0" {
			continue
		}
		if _, err := parseVersion(v, base, r.Type); err != nil {
			return err
		}
	}
	if !intro {
		return errors.New("no introduced event")
	}
	return nil
}

// value returns the event's version and how many of its fields are set.
func (e Event) value() (string, int) {
	v, n := "", 0
	for _, s := range []string{e.Introduced, e.Fixed, e.LastAffected, e.Limit} {
		if s != "" {
			v, n = s, n+1
		}
	}
	return v, n
}

// parseVersion parses a version in the order of the range type: SEMVER ranges use semantic
// versioning whatever the ecosystem, ECOSYSTEM ranges the ecosystem's own order.
func parseVersion(v, base, rangeType string) (semantic.Version, error) {
	if rangeType == "SEMVER" {
		return semantic.ParseSemverVersion(v), nil
	}
	sv, err := semantic.Parse(v, base)
	if err != nil {
		return nil, fmt.Errorf("version %q in %s order: %w", v, base, err)
	}
	return sv, nil
}

// known top-level fields of the OSV schema (1.7); others are reported as a notice.
var knownFields = map[string]bool{
	"schema_version": true, "id": true, "modified": true, "published": true, "withdrawn": true,
	"aliases": true, "upstream": true, "related": true, "summary": true, "details": true,
	"severity": true, "affected": true, "references": true, "credits": true, "database_specific": true,
}

func unknownFields(keys []string) []string {
	var out []string
	for _, k := range keys {
		if !knownFields[k] {
			out = append(out, k)
		}
	}
	return out
}

// ParseTime parses an OSV timestamp. It reports ok=false for an empty or malformed value and
// for placeholders before 1990 (0001-01-01 in golang/vulndb sources, 1970-01-01 from a nil
// protobuf timestamp): such a date is not a real release date.
func ParseTime(s string) (t time.Time, ok bool, reason string) {
	if strings.TrimSpace(s) == "" {
		return time.Time{}, false, "missing"
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false, "malformed"
	}
	if t.Year() < 1990 {
		return t.UTC(), false, "placeholder"
	}
	return t.UTC(), true, ""
}
