package rules

import (
	"fmt"
	"time"

	"github.com/ceplus/ceplus/shared/calendar"
)

// Outcome is the state of a CE+ assessment (contract v1).
type Outcome string

// The outcomes of contract v1.
const (
	OutcomeInProgress       Outcome = "in_progress"
	OutcomePass             Outcome = "pass"
	OutcomePassWithAdvisory Outcome = "pass_with_advisory"
	OutcomeRemediation      Outcome = "remediation"
	OutcomeFail             Outcome = "fail"
	OutcomeNotAchieved      Outcome = "not_achieved"
	OutcomeNeedsDecision    Outcome = "needs_assessor_decision"
)

// Certificate states of the underlying CE certificate.
const (
	CertificateValid   = "valid"
	CertificateRevoked = "revoked"
)

// DeviceStatus is a sampled device's state in its sample: the result of its latest test.
type DeviceStatus string

// The device states of contract v1.
const (
	StatusPass     DeviceStatus = "pass"
	StatusFail     DeviceStatus = "fail"
	StatusUntested DeviceStatus = "untested"
)

// CEPlusVerdict is the answer for a CE+ case. The fields up to Questions are contract v1; the
// rest explain them. A verdict shares finding slices with the case it came from.
type CEPlusVerdict struct {
	Outcome             Outcome                `json:"outcome"`
	CECertificate       string                 `json:"ce_certificate"`
	RemediationDeadline *calendar.Date         `json:"remediation_deadline"`
	SampleSizes         map[string]int         `json:"sample_sizes"`
	Devices             map[string]DeviceState `json:"devices"`
	Repeated            []string               `json:"repeated"`
	Violations          []Violation            `json:"violations"`
	Questions           []string               `json:"questions"`

	// Rule names the step of the outcome order that decided (see docs/rules.md).
	Rule string `json:"rule"`
	// Reasons explain the outcome in sentences, most important first.
	Reasons []string `json:"reasons"`
	// WindowStart is the local date of the first failing Sample 1 test; nil when none failed.
	WindowStart *calendar.Date `json:"window_start"`
	// WindowOpen is true while now is on or before the remediation deadline.
	WindowOpen bool `json:"window_open"`
	// Sample1Remediated: by the end of the window (or now, if earlier) the latest test of every
	// Sample 1 device passes.
	Sample1Remediated bool `json:"sample1_remediated"`
	// Samples holds every device of each sample ("1", "2") with its findings explained, including
	// devices in both samples, which Devices leaves out (a device has one entry there).
	Samples map[string]map[string]DeviceDetail `json:"samples"`
	// Repeats lists each Sample 2 finding that repeats a Sample 1 failure.
	Repeats   []Repeat   `json:"repeats"`
	Decisions []Decision `json:"decisions"`
	Timezone  string     `json:"timezone"`
}

// DeviceState is a device's entry in CEPlusVerdict.Devices (contract v1).
type DeviceState struct {
	Sample   int            `json:"sample"`
	Status   DeviceStatus   `json:"status"`
	Findings []FindingState `json:"findings"`
}

// FindingState is a finding of a device's latest test with its class (contract v1).
type FindingState struct {
	IDs   []string `json:"ids"`
	Class Class    `json:"class"`
}

// DeviceDetail is a device's state in one sample, explained.
type DeviceDetail struct {
	Build       string          `json:"build"`
	Status      DeviceStatus    `json:"status"`
	Tests       int             `json:"tests"`
	FirstTested *time.Time      `json:"first_tested,omitempty"`
	LastTested  *time.Time      `json:"last_tested,omitempty"`
	Findings    []FindingDetail `json:"findings"`
}

// FindingDetail is a finding of a device's latest test with its class and the days since the fix.
type FindingDetail struct {
	*Finding
	Class        Class `json:"class"`
	DaysSinceFix *int  `json:"days_since_fix,omitempty"`
}

// Repeat is one failing Sample 2 finding that repeats a failing Sample 1 finding.
type Repeat struct {
	Device     string    `json:"device"`
	TestedAt   time.Time `json:"tested_at"`
	IDs        []string  `json:"ids"`
	Sample1IDs []string  `json:"sample1_ids"`
	// Match is "id" (they share a vulnerability id or alias) or "update" (same package and
	// fixed version).
	Match string `json:"match"`
}

// Violation is a process rule broken during the assessment.
type Violation struct {
	Rule   string `json:"rule"`
	Detail string `json:"detail"`
}

// The violation rules of contract v1.
const (
	RuleSample2DrawnEarly     = "sample2_drawn_before_sample1_tested"
	RuleSample2NotDeclared    = "sample2_not_declared"
	RuleSample2DeclaredEarly  = "sample2_declared_too_early"
	RuleSample2OutsideWindow  = "sample2_tested_outside_window"
	RuleSampleSizeTooSmall    = "sample_size_too_small"
	DeclarationHours          = 72
	DeclarationWorkingDays    = 3
	maxDevicesNamedInMessages = 10
)

// EvaluateCEPlus returns the verdict of a CE+ assessment (RULES.md §1, contract v1) at in.Now.
// It expects a case that passes Validate; events naming unknown devices are skipped. See
// docs/rules.md for the rules in full.
func EvaluateCEPlus(in CEPlusCase) CEPlusVerdict {
	h := newHistory(in)
	v := CEPlusVerdict{
		CECertificate: CertificateValid,
		Repeated:      []string{},
		Violations:    []Violation{},
		Questions:     []string{},
		Reasons:       []string{},
		Repeats:       []Repeat{},
		Decisions:     h.decisions,
		Timezone:      h.cal.Location().String(),
	}
	if v.Decisions == nil {
		v.Decisions = []Decision{}
	}
	v.SampleSizes = h.sampleSizes()
	h.deviceOutput(&v)
	h.decide(&v)
	v.Violations = h.violations()
	return v
}

// decide applies the outcome order of contract v1.
func (h *history) decide(v *CEPlusVerdict) {
	s1 := &h.samples[1]
	first, last, start, end, ok := h.window()
	if !ok {
		untested := h.untested(1, h.in.Now)
		switch {
		case len(s1.order) == 0:
			v.set(OutcomeInProgress, "sample1_not_drawn", "Sample 1 has not been drawn")
		case len(untested) > 0:
			v.set(OutcomeInProgress, "sample1_testing", fmt.Sprintf("no Sample 1 test has failed; not yet tested: %s", h.names(untested)))
		default:
			v.set(OutcomePass, "sample1_pass", "every Sample 1 device has been tested and none failed: CE+ awarded (RULES.md §1.5.1)")
		}
		return
	}
	v.RemediationDeadline, v.WindowStart = &last, &first
	v.WindowOpen = h.in.Now.Before(end)
	ft := h.tests[h.firstFail]
	failMsg := fmt.Sprintf("Sample 1 device %s failed its test at %s: the 30-day remediation window runs from %s to %s inclusive",
		h.in.Devices[ft.dev].ID, ft.at.UTC().Format(time.RFC3339), first, last)

	repeats := h.repeats(start, end)
	v.Repeats = append(v.Repeats, repeats.list...)
	v.Repeated = repeats.ids
	v.Sample1Remediated = h.remediated(end)

	refusalCounts := h.refusedAt != nil && (len(repeats.list) == 0 || h.refusedAt.Before(repeats.firstAt))
	switch {
	case refusalCounts:
		v.set(OutcomeNotAchieved, "sample2_refused", fmt.Sprintf("the applicant refused Sample 2 at %s: CE+ not achieved, the CE certificate stays valid (RULES.md §1.5.6)", h.refusedAt.UTC().Format(time.RFC3339)))
	case len(repeats.list) > 0:
		v.set(OutcomeFail, "sample2_repeat", fmt.Sprintf("Sample 2 found vulnerabilities that failed in Sample 1 (%s): remediation was not applied across the scope; CE+ failed and the CE certificate revoked (RULES.md §1.5.5)", joinLimited(repeats.ids)))
		v.CECertificate = CertificateRevoked
	default:
		h.decideAfterSample2(v, start, end, last)
	}
	v.Reasons = append(v.Reasons, failMsg)
}

func (h *history) decideAfterSample2(v *CEPlusVerdict, start, end time.Time, last calendar.Date) {
	s2 := &h.samples[2]
	var notInWindow []int32
	var unrelated []string
	for _, d := range s2.order {
		in := false
		for k := s2.first[d]; k >= 0; k = h.tests[k].next {
			t := &h.tests[k]
			if t.at.Before(start) || !t.at.Before(end) {
				continue
			}
			in = true
			if t.fails {
				for j, c := range t.classes {
					if c.fails() {
						unrelated = append(unrelated, fmt.Sprintf("%s: %s", h.in.Devices[d].ID, joinLimited(t.findings[j].IDs)))
					}
				}
			}
		}
		if !in {
			notInWindow = append(notInWindow, d)
		}
	}
	s2Done := len(s2.order) > 0 && len(notInWindow) == 0
	switch {
	case v.Sample1Remediated && s2Done && len(unrelated) == 0:
		v.set(OutcomePass, "sample2_pass", "Sample 1 was remediated and every Sample 2 device passed inside the window: CE+ awarded (RULES.md §1.5.5)")
		return
	case v.Sample1Remediated && s2Done:
		v.set(OutcomePassWithAdvisory, "sample2_advisory", fmt.Sprintf("Sample 1 was remediated and Sample 2 found only missing updates unrelated to Sample 1: CE+ awarded with an advisory to fix %s (RULES.md §1.5.5)", joinLimited(unrelated)))
		v.Questions = append(v.Questions, fmt.Sprintf("Sample 2 found missing updates unrelated to Sample 1 (%s). The applicant is advised to fix them. Do NCSC requirements call for a re-test before CE+ is confirmed?", joinLimited(unrelated)))
		return
	case v.WindowOpen:
		var todo []string
		if !v.Sample1Remediated {
			todo = append(todo, "retest Sample 1 until every device passes")
		}
		switch {
		case len(s2.order) == 0:
			todo = append(todo, "draw, declare and test Sample 2")
		case len(notInWindow) > 0:
			todo = append(todo, "test Sample 2 devices "+h.names(notInWindow))
		}
		v.set(OutcomeRemediation, "window_open", fmt.Sprintf("the remediation window is open until the end of %s; still to do: %s", last, joinLimited(todo)))
		return
	case !v.Sample1Remediated:
		v.set(OutcomeFail, "window_expired", fmt.Sprintf("the remediation window ended on %s with required updates still missing in Sample 1: CE+ failed and the CE certificate revoked (RULES.md §1.5.3)", last))
		v.CECertificate = CertificateRevoked
		return
	}
	var why string
	switch {
	case len(s2.order) == 0:
		why = "Sample 2 was never drawn"
	default:
		why = "Sample 2 devices " + h.names(notInWindow) + " were not tested inside the window"
	}
	if late := h.lateRepeats(end); late != "" {
		why += "; after the window, Sample 2 found vulnerabilities that failed in Sample 1 (" + late + ")"
	}
	v.set(OutcomeNeedsDecision, "undecided", fmt.Sprintf("the remediation window ended on %s with Sample 1 remediated, but %s: the scheme does not say what follows (RULES.md §1.5.8)", last, why))
	v.Questions = append(v.Questions, fmt.Sprintf("The remediation window ended on %s with Sample 1 remediated, but %s. Is CE+ failed (certificate revoked), not achieved (certificate valid), or may Sample 2 still be tested? Record the answer as an assessor_decision event.", last, why))
}

func (v *CEPlusVerdict) set(o Outcome, rule, reason string) {
	v.Outcome, v.Rule = o, rule
	v.Reasons = append(v.Reasons, reason)
}

// remediated reports whether every Sample 1 device's latest test before end (and at or before
// now) passes.
func (h *history) remediated(end time.Time) bool {
	s1 := &h.samples[1]
	if len(s1.order) == 0 {
		return false
	}
	for _, d := range s1.order {
		last := int32(-1)
		for k := s1.first[d]; k >= 0; k = h.tests[k].next {
			if h.tests[k].at.Before(end) {
				last = k
			}
		}
		if last < 0 || h.tests[last].fails {
			return false
		}
	}
	return true
}

// untested returns the members of sample s with no test at or before at.
func (h *history) untested(s int, at time.Time) []int32 {
	var out []int32
	sm := &h.samples[s]
	for _, d := range sm.order {
		if f := sm.first[d]; f < 0 || h.tests[f].at.After(at) {
			out = append(out, d)
		}
	}
	return out
}

// names lists device ids, at most maxDevicesNamedInMessages of them.
func (h *history) names(ds []int32) string {
	ids := make([]string, 0, min(len(ds), maxDevicesNamedInMessages))
	for i, d := range ds {
		if i == maxDevicesNamedInMessages {
			break
		}
		ids = append(ids, h.in.Devices[d].ID)
	}
	s := joinLimited(ids)
	if len(ds) > maxDevicesNamedInMessages {
		s += fmt.Sprintf(" and %d more", len(ds)-maxDevicesNamedInMessages)
	}
	return s
}

func joinLimited(items []string) string {
	out := ""
	for i, s := range items {
		if i == maxDevicesNamedInMessages {
			return out + fmt.Sprintf(" and %d more", len(items)-i)
		}
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}
