package match

import (
	"time"

	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/ceplus/ceplus/shared/rules"
)

// GraceDays is the CE+ grace period in days (rules.GraceDays).
const GraceDays = rules.GraceDays

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

// vendorRating maps a feed's word to the rules engine's ratings (critical, high, medium, low);
// a word it does not know maps to "" (no vendor severity).
func vendorRating(w string) string {
	switch vendorRank(w) {
	case 5:
		return "critical"
	case 4:
		return "high"
	case 3:
		return "medium"
	case 2, 1:
		return "low"
	}
	return ""
}

// RulesSeverity converts the severity to the rules engine's: the CVSS v3 score and the vendor
// rating; nil when there is neither (the rules treat that as high).
func (s Severity) RulesSeverity() *rules.Severity {
	var out rules.Severity
	if s.CVSS3 != nil {
		score := s.CVSS3.Score
		out.CVSS3 = &score
	}
	if s.Vendor != nil {
		out.Vendor = vendorRating(s.Vendor.Severity)
	}
	if out.CVSS3 == nil && out.Vendor == "" {
		return nil
	}
	return &out
}

// IsHigh reports whether the severity meets the 14-day rule's bar (rules.MeetsSeverityBar):
// vendor critical or high, CVSS v3 7.0 or more, or no severity at all.
func (s Severity) IsHigh() bool { return rules.MeetsSeverityBar(s.RulesSeverity()) }

// classifyEvidence classifies one piece of evidence for a test at now with the rules engine's
// rules.ClassifyFinding (dates in Europe/London), except where the advisory data cannot give it
// the fix release date it needs, which the rules engine must not be asked to guess:
//   - a fix with no usable date (missing, malformed, placeholder) that meets the severity bar
//     → needs_assessor_decision (passing no date would read as no_fix);
//   - a per-CVE record's date is the CVE's, not the fix's: when the rules engine says fail but
//     the record was modified (the fix added) within grace, the fix may be recent →
//     needs_assessor_decision.
func classifyEvidence(e Evidence, sev Severity, now time.Time) Class {
	f := rules.Finding{Fixed: e.Fixed, Severity: sev.RulesSeverity()}
	if e.Fixed != "" && e.FixDate != "" {
		d, err := calendar.ParseDate(e.FixDate)
		if err != nil {
			return ClassNeedsDecision // FixDate is written by evidence() as YYYY-MM-DD
		}
		f.FixReleased = &d
	}
	if e.Fixed != "" && f.FixReleased == nil && rules.MeetsSeverityBar(f.Severity) {
		return ClassNeedsDecision
	}
	c := Class(rules.ClassifyFinding(f, now, nil))
	if c == ClassFail && e.DateFlag == DateCVERecord && (e.Modified == "" || daysSince(e.Modified, now) <= GraceDays) {
		return ClassNeedsDecision
	}
	return c
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
	finish(f, best)
}

// finish gives the finding the class, fix date and source of evidence best (none when < 0).
func finish(f *Finding, best int) {
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

// classifier classifies findings for one test date, remembering the class of each distinct
// piece of evidence: a snapshot has few distinct (date, flag, severity) combinations and a
// large host has tens of thousands of findings.
type classifier struct {
	now  time.Time
	memo map[classKey]Class
	// the last key and its class: consecutive evidence often shares dates and severity
	lastKey   classKey
	lastClass Class
	hasLast   bool
}

// classKey is what an evidence's class depends on: whether it names a fix, its dates and
// whether the finding's severity meets the 14-day rule's bar (rules.ClassifyFinding reads the
// severity only through rules.MeetsSeverityBar).
type classKey struct {
	hasFix                      bool
	fixDate, dateFlag, modified string
	bar                         bool
}

func newClassifier(now time.Time) *classifier {
	return &classifier{now: now, memo: map[classKey]Class{}}
}

// meetsBar is IsHigh without allocating: the rules severity stays on the stack.
func (s Severity) meetsBar() bool {
	var rs rules.Severity
	if s.CVSS3 != nil {
		score := s.CVSS3.Score
		rs.CVSS3 = &score
	}
	if s.Vendor != nil {
		rs.Vendor = vendorRating(s.Vendor.Severity)
	}
	if rs.CVSS3 == nil && rs.Vendor == "" {
		return rules.MeetsSeverityBar(nil)
	}
	return rules.MeetsSeverityBar(&rs)
}

// classify does what classify(f, now) does.
func (c *classifier) classify(f *Finding) {
	best := -1
	k := classKey{bar: f.Severity.meetsBar()}
	for i := range f.Evidence {
		e := &f.Evidence[i]
		k.hasFix, k.fixDate, k.dateFlag, k.modified = e.Fixed != "", e.FixDate, e.DateFlag, e.Modified
		var cl Class
		if c.hasLast && k == c.lastKey {
			cl = c.lastClass
		} else {
			var ok bool
			if cl, ok = c.memo[k]; !ok {
				cl = classifyEvidence(*e, f.Severity, c.now)
				c.memo[k] = cl
			}
			c.lastKey, c.lastClass, c.hasLast = k, cl, true
		}
		e.Class = cl
		if best < 0 || decides(*e, f.Evidence[best]) {
			best = i
		}
	}
	finish(f, best)
}
