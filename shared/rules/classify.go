package rules

import (
	"fmt"
	"time"

	"github.com/ceplus/ceplus/shared/calendar"
)

// Class is the classification of one finding under the 14-day rule (RULES.md §1.4).
type Class string

// The finding classes of contract v1. Only ClassFail and ClassUnsupported fail a device.
const (
	ClassFail        Class = "fail"         // missing a counting update released more than 14 days before the test
	ClassWithinGrace Class = "within_grace" // missing a counting update released 14 days or less before the test
	ClassNoFix       Class = "no_fix"       // no fix released yet
	ClassLow         Class = "low"          // below the severity bar
	ClassUnsupported Class = "unsupported"  // software no longer supported by its vendor
)

// Fails reports whether a finding of class c fails the device.
func (c Class) Fails() bool { return c == ClassFail || c == ClassUnsupported }

// GraceDays is the number of days a counting update may be missing without failing the device.
const GraceDays = 14

// Classification is a finding's class with what decided it.
type Classification struct {
	Class Class `json:"class"`
	// DaysSinceFix is the test's local date minus the fix's release date, when a fix exists and
	// the severity bar is met.
	DaysSinceFix *int `json:"days_since_fix,omitempty"`
	// Reason explains the class in one sentence.
	Reason string `json:"reason"`
}

// ClassifyFinding returns the class of finding f on a device tested at testedAt, with dates
// taken in the time zone loc (Europe/London when nil). The rule, in order:
//
//  1. f.Unsupported → ClassUnsupported (the device fails whatever the severity).
//  2. The severity bar: the finding counts when the vendor rates it critical or high, or its
//     CVSS v3 base score is 7.0 or more, or it has no severity at all (treated as high).
//     Otherwise → ClassLow.
//  3. No fix released (f.FixReleased nil) → ClassNoFix.
//  4. days = (local date of testedAt in loc) − FixReleased, in calendar days. days > 14 →
//     ClassFail; days ≤ 14 → ClassWithinGrace. A fix released on 2026-05-01 is within grace for a
//     test on 2026-05-15 (14 days) and fails a test on 2026-05-16 (15 days), whatever the hour.
func ClassifyFinding(f Finding, testedAt time.Time, loc *time.Location) Class {
	if loc == nil {
		loc = calendar.London()
	}
	return classify(f, calendar.DateOf(testedAt.In(loc)), false).Class
}

// ExplainFinding is ClassifyFinding with the days since the fix and the reason.
func ExplainFinding(f Finding, testedAt time.Time, loc *time.Location) Classification {
	if loc == nil {
		loc = calendar.London()
	}
	return classify(f, calendar.DateOf(testedAt.In(loc)), true)
}

// MeetsSeverityBar reports whether a finding with severity s counts for the 14-day rule:
// vendor critical or high, or CVSS v3 ≥ 7.0, or no severity at all.
func MeetsSeverityBar(s *Severity) bool {
	if s == nil || (s.CVSS3 == nil && s.Vendor == "") {
		return true
	}
	if s.Vendor == "critical" || s.Vendor == "high" {
		return true
	}
	return s.CVSS3 != nil && *s.CVSS3 >= 7.0
}

// classify classifies f for a test on local date tested; explain fills in Reason.
func classify(f Finding, tested calendar.Date, explain bool) Classification {
	class, days, hasDays := classifyDays(f, tested)
	c := Classification{Class: class}
	if hasDays {
		c.DaysSinceFix = &days
	}
	if !explain {
		return c
	}
	switch class {
	case ClassUnsupported:
		c.Reason = "software no longer supported by its vendor: fails the device"
	case ClassLow:
		c.Reason = "below the severity bar (not vendor critical/high, CVSS v3 below 7.0)"
	case ClassNoFix:
		c.Reason = "no fix released yet"
	case ClassFail:
		c.Reason = fmt.Sprintf("fix released %s, %d days before the test on %s: more than %d days, fails the device", f.FixReleased, days, tested, GraceDays)
	default:
		c.Reason = fmt.Sprintf("fix released %s, %d days before the test on %s: within the %d-day grace period", f.FixReleased, days, tested, GraceDays)
	}
	return c
}

// classifyDays is the allocation-free core of classify: the class and, when a counting fix
// exists, the days since its release.
func classifyDays(f Finding, tested calendar.Date) (class Class, days int, hasDays bool) {
	switch {
	case f.Unsupported:
		return ClassUnsupported, 0, false
	case !MeetsSeverityBar(f.Severity):
		return ClassLow, 0, false
	case f.FixReleased == nil:
		return ClassNoFix, 0, false
	}
	days = tested.DaysSince(*f.FixReleased)
	if days > GraceDays {
		return ClassFail, days, true
	}
	return ClassWithinGrace, days, true
}
