package match

import (
	"time"
)

// GraceDays is the CE+ grace period: a fix released this many days before the test or fewer
// is within grace (RULES.md §1.4).
const GraceDays = 14

// vendorRank orders vendor severity words across feeds: Debian urgency, Ubuntu priority,
// Red Hat, GHSA and CVSS-style ratings. Unknown words rank 0.
func vendorRank(w string) int {
	switch w {
	case "critical":
		return 5
	case "high", "important":
		return 4
	case "medium", "moderate":
		return 3
	case "low":
		return 2
	case "negligible", "unimportant", "none":
		return 1
	}
	return 0
}

// IsHigh reports whether the severity counts as high for the 14-day rule: the vendor rates it
// critical or high, or a CVSS v3 base score is 7.0 or more, or there is no severity at all
// (treated as high). A vendor word this package does not know is treated as no severity.
func (s Severity) IsHigh() bool {
	if s.CVSS3 != nil && s.CVSS3.Score >= 7.0 {
		return true
	}
	if s.Vendor != nil && vendorRank(s.Vendor.Severity) >= 4 {
		return true
	}
	known := s.Vendor != nil && vendorRank(s.Vendor.Severity) > 0
	return s.CVSS3 == nil && !known
}

// classifyEvidence applies the 14-day rule of RULES.md §1.4 to one piece of evidence on the
// test date now, given the finding's severity:
//   - no fix released → no_fix;
//   - severity not high (see Severity.IsHigh) → low;
//   - no usable fix date (missing, malformed, placeholder) → needs_assessor_decision;
//   - fix released more than GraceDays calendar days (UTC) before now → fail, else within_grace;
//   - for a per-CVE record the date is the CVE's: when it is past grace but the record was
//     modified within grace, the fix may be recent → needs_assessor_decision.
//
// It is the single place the class is computed until shared/rules exports its classifier.
func classifyEvidence(e Evidence, sev Severity, now time.Time) Class {
	switch {
	case e.Fixed == "":
		return ClassNoFix
	case !sev.IsHigh():
		return ClassLow
	case e.FixDate == "":
		return ClassNeedsDecision
	}
	if daysSince(e.FixDate, now) <= GraceDays {
		return ClassWithinGrace
	}
	if e.DateFlag == DateCVERecord && (e.Modified == "" || daysSince(e.Modified, now) <= GraceDays) {
		return ClassNeedsDecision
	}
	return ClassFail
}

// daysSince returns the calendar days (UTC) from the date to now.
func daysSince(date string, now time.Time) int {
	d, err := time.Parse(dateLayout, date)
	if err != nil {
		return 0 // dates here are written by evidence() in dateLayout
	}
	n := now.UTC()
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
	return int(today.Sub(d).Hours() / 24)
}

// classRank orders classes by how much they weigh against the device: the worst decides.
func classRank(c Class) int {
	switch c {
	case ClassFail, ClassUnsupported:
		return 5
	case ClassNeedsDecision:
		return 4
	case ClassWithinGrace:
		return 3
	case ClassNoFix:
		return 2
	case ClassLow:
		return 1
	}
	return 0
}

// decides reports whether evidence e rather than cur should decide the finding: the worse
// class, then a real advisory date over a per-CVE record's date over no date.
func decides(e, cur Evidence) bool {
	if a, b := classRank(e.Class), classRank(cur.Class); a != b {
		return a > b
	}
	return dateRank(e) < dateRank(cur)
}

func dateRank(e Evidence) int {
	switch {
	case e.FixDate != "" && e.DateFlag == "":
		return 0
	case e.FixDate != "":
		return 1
	}
	return 2
}

// classify sets the class of every evidence and of the finding (the worst evidence decides,
// and gives the finding its fix date and source).
func classify(f *Finding, now time.Time) {
	best := -1
	for i := range f.Evidence {
		e := &f.Evidence[i]
		e.Class = classifyEvidence(*e, f.Severity, now)
		if best < 0 || decides(*e, f.Evidence[best]) {
			best = i
		}
	}
	if best < 0 {
		return
	}
	e := f.Evidence[best]
	f.Class = e.Class
	f.FixDate, f.FixDateFlag = e.FixDate, e.DateFlag
	if e.Fixed != "" {
		f.FixDateSource = "published of " + e.Record
		if f.Kind == KindPendingUpdate {
			f.FixDateSource = e.Record
		}
	}
}
