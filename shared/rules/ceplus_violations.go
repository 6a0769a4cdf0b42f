package rules

import (
	"fmt"
	"time"
)

// violations returns the process rules broken (contract v1), each at most once, in the
// contract's order.
func (h *history) violations() []Violation {
	out := []Violation{}
	add := func(rule, detail string) {
		if detail != "" {
			out = append(out, Violation{Rule: rule, Detail: detail})
		}
	}
	add(RuleSample2DrawnEarly, h.drawnEarly())
	add(RuleSample2NotDeclared, h.notDeclared())
	add(RuleSample2DeclaredEarly, h.declaredEarly())
	add(RuleSample2OutsideWindow, h.outsideWindow())
	add(RuleSampleSizeTooSmall, h.sizeTooSmall())
	return out
}

// drawnEarly: Sample 2 drawn before every Sample 1 device had its first test.
func (h *history) drawnEarly() string {
	for _, at := range h.s2Drawn {
		if len(h.samples[1].order) == 0 {
			return fmt.Sprintf("Sample 2 was drawn at %s before Sample 1 was drawn", utc(at))
		}
		if u := h.untested(1, at); len(u) > 0 {
			return fmt.Sprintf("Sample 2 was drawn at %s before Sample 1 devices %s had been tested (RULES.md §1.3: Sample 2 is drawn only after Sample 1 has been tested)", utc(at), h.names(u))
		}
	}
	return ""
}

// notDeclared: a Sample 2 device tested with no Sample 2 declaration naming it at or before the
// test.
func (h *history) notDeclared() string {
	var devs []int32
	seen := map[int32]bool{}
	for i := range h.tests {
		t := &h.tests[i]
		if t.sample != 2 || seen[t.dev] {
			continue
		}
		if at := h.declaredAt[t.dev]; at.IsZero() || at.After(t.at) {
			seen[t.dev] = true
			devs = append(devs, t.dev)
		}
	}
	if len(devs) == 0 {
		return ""
	}
	return fmt.Sprintf("Sample 2 devices %s were tested without being declared to the applicant first (RULES.md §1.5.4)", h.names(devs))
}

// declaredEarly: the latest Sample 2 declaration at or before the first Sample 2 test came more
// than 72 hours and more than 3 working days before it (working days counted after the
// declaration's local date, up to and including the test's local date).
func (h *history) declaredEarly() string {
	first := -1
	for i := range h.tests {
		if h.tests[i].sample == 2 {
			first = i
			break
		}
	}
	if first < 0 {
		return ""
	}
	t := &h.tests[first]
	var decl *declaration
	for i := range h.s2Declared {
		if !h.s2Declared[i].at.After(t.at) {
			decl = &h.s2Declared[i]
		}
	}
	if decl == nil {
		return ""
	}
	gap := t.at.Sub(decl.at)
	declDate := h.cal.Date(decl.at)
	working := h.cal.BusinessDaysAfter(declDate, t.date)
	if gap <= DeclarationHours*time.Hour || working <= DeclarationWorkingDays {
		return ""
	}
	return fmt.Sprintf("Sample 2 was declared at %s, %s and %d working days (after %s, up to %s) before the first Sample 2 test at %s: more than both 72 hours and 3 working days (RULES.md §1.5.4)",
		utc(decl.at), hours(gap), working, declDate, t.date, utc(t.at))
}

// outsideWindow: a Sample 2 device tested after the remediation window's last day.
func (h *history) outsideWindow() string {
	_, last, _, end, ok := h.window()
	if !ok {
		return ""
	}
	var devs []int32
	seen := map[int32]bool{}
	for i := range h.tests {
		t := &h.tests[i]
		if t.sample == 2 && !t.at.Before(end) && !seen[t.dev] {
			seen[t.dev] = true
			devs = append(devs, t.dev)
		}
	}
	if len(devs) == 0 {
		return ""
	}
	return fmt.Sprintf("Sample 2 devices %s were tested after the remediation window's last day, %s (RULES.md §1.5.4: no remediation window for Sample 2)", h.names(devs), last)
}

// sizeTooSmall: a drawn sample has fewer devices of some build than the rules require. Sample 1
// needs the build's sample size (every test_all_types device plus the table's size for the others).
// Sample 2 needs every test_all_types device of the build again and, for its other devices, is
// drawn from those not in Sample 1: the table's size of them when enough remain, every remaining
// one when fewer remain (small pool), or all of them again when none remain (total coverage).
func (h *history) sizeTooSmall() string {
	forced, others := h.sizes()
	nb := len(h.builds)
	var problems []string
	for s := 1; s <= 2; s++ {
		sm := &h.samples[s]
		if !sm.isDrawn {
			continue
		}
		drawnForced, drawnOthers, drawnNew, inS1 := make([]int, nb), make([]int, nb), make([]int, nb), make([]int, nb)
		for d := range h.in.Devices {
			b := h.buildOf[d]
			if h.forced[d] {
				if sm.drawn[d] {
					drawnForced[b]++
				}
				continue
			}
			if h.samples[1].member[d] {
				inS1[b]++
			}
			if sm.drawn[d] {
				drawnOthers[b]++
				if !h.samples[1].member[d] {
					drawnNew[b]++
				}
			}
		}
		for b, name := range h.builds {
			table := SampleSize(others[b])
			if s == 1 {
				if got, need := drawnForced[b]+drawnOthers[b], forced[b]+table; got < need {
					problems = append(problems, fmt.Sprintf("Sample 1 has %d devices of build %q, %d required", got, name, need))
				}
				continue
			}
			if drawnForced[b] < forced[b] {
				problems = append(problems, fmt.Sprintf("Sample 2 has %d of the %d devices of build %q whose type is tested in full", drawnForced[b], forced[b], name))
			}
			switch remaining := others[b] - inS1[b]; {
			case others[b] == 0:
			case remaining == 0:
				if drawnOthers[b] < others[b] {
					problems = append(problems, fmt.Sprintf("Sample 2 has %d devices of build %q, %d required (every device was in Sample 1: total coverage re-scans them all)", drawnOthers[b], name, others[b]))
				}
			case drawnNew[b] < min(table, remaining):
				problems = append(problems, fmt.Sprintf("Sample 2 has %d devices of build %q not in Sample 1, %d required (%d remain outside Sample 1)", drawnNew[b], name, min(table, remaining), remaining))
			}
		}
	}
	if len(problems) == 0 {
		return ""
	}
	return joinLimited(problems) + " (RULES.md §1.2, §1.5.7)"
}

func utc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func hours(d time.Duration) string {
	return fmt.Sprintf("%.1f hours", d.Hours())
}
