package rules

import (
	"sort"
	"time"

	"github.com/ceplus/ceplus/shared/calendar"
)

// RemediationDays is the length of the CE+ remediation window in calendar days (RULES.md §1.5.2).
const RemediationDays = 30

// history is a CE+ case indexed for evaluation: devices by index, the events at or before now in
// time order, every test classified, and per-sample membership.
type history struct {
	in  CEPlusCase
	cal *calendar.Calendar

	idx     map[string]int32 // device id → index into in.Devices
	buildOf []int32          // device index → index into builds
	builds  []string
	forced  []bool // device type is tested in full (test_all_types)

	tests   []test
	samples [3]sample // samples[1] and samples[2]

	s2Drawn    []time.Time   // times of the Sample 2 draws
	s2Declared []declaration // Sample 2 declarations
	declaredAt []time.Time   // device index → first Sample 2 declaration naming it (zero: none)
	refusedAt  *time.Time
	decisions  []Decision
	scopeAt    *time.Time

	firstFail int // index into tests of the first failing Sample 1 test, -1 when none
}

type test struct {
	at       time.Time
	date     calendar.Date // local date of at
	sample   int
	dev      int32
	findings []Finding
	classes  []classCode
	fails    bool
	next     int32 // index of the same device's next test in the same sample, -1 when none
}

type declaration struct {
	at      time.Time
	devices []string
}

// sample is one sample's membership and per-device test positions (indexes into tests, -1 none).
type sample struct {
	member  []bool // device index → in this sample (drawn, or tested in it)
	drawn   []bool // device index → named by a sample_drawn event
	order   []int32
	isDrawn bool
	first   []int32
	latest  []int32
	count   []int32
}

// Decision is an assessor decision recorded in the history.
type Decision struct {
	At       time.Time `json:"at"`
	Question string    `json:"question,omitempty"`
	Decision string    `json:"decision"`
}

func newHistory(in CEPlusCase) *history {
	h := &history{in: in, cal: calendarOrDefault(in.Calendar), firstFail: -1}
	n := len(in.Devices)
	h.idx = make(map[string]int32, n)
	h.buildOf = make([]int32, n)
	h.forced = make([]bool, n)
	all := map[string]bool{}
	for _, t := range in.TestAllTypes {
		all[t] = true
	}
	buildIdx := map[string]int32{}
	for i, d := range in.Devices {
		if _, dup := h.idx[d.ID]; dup {
			continue // Validate rejects duplicates; keep the first
		}
		h.idx[d.ID] = int32(i)
		b, ok := buildIdx[d.Build]
		if !ok {
			b = int32(len(h.builds))
			buildIdx[d.Build] = b
			h.builds = append(h.builds, d.Build)
		}
		h.buildOf[i] = b
		h.forced[i] = all[d.Type]
	}
	for s := 1; s <= 2; s++ {
		h.samples[s] = sample{member: make([]bool, n), drawn: make([]bool, n),
			first: fill(n), latest: fill(n), count: make([]int32, n)}
	}
	h.declaredAt = make([]time.Time, n)
	h.replay()
	return h
}

func fill(n int) []int32 {
	s := make([]int32, n)
	for i := range s {
		s[i] = -1
	}
	return s
}

// replay walks the events at or before now in time order (ties keep input order).
func (h *history) replay() {
	order := make([]int, 0, len(h.in.Events))
	nFindings, nTests := 0, 0
	sorted := true
	for i := range h.in.Events {
		e := &h.in.Events[i]
		if e.At.After(h.in.Now) {
			continue
		}
		if len(order) > 0 && e.At.Before(h.in.Events[order[len(order)-1]].At) {
			sorted = false
		}
		order = append(order, i)
		if e.Kind == EventDeviceTested {
			nFindings += len(e.Findings)
			nTests++
		}
	}
	if !sorted {
		sort.SliceStable(order, func(a, b int) bool { return h.in.Events[order[a]].At.Before(h.in.Events[order[b]].At) })
	}
	h.tests = make([]test, 0, nTests)
	classes := make([]classCode, nFindings)
	for _, i := range order {
		e := &h.in.Events[i]
		switch e.Kind {
		case EventScopeFrozen:
			if h.scopeAt == nil {
				h.scopeAt = &e.At
			}
		case EventSampleDrawn:
			if e.Sample != 1 && e.Sample != 2 {
				continue
			}
			s := &h.samples[e.Sample]
			s.isDrawn = true
			for _, id := range e.Devices {
				if d, ok := h.idx[id]; ok {
					s.drawn[d] = true
					h.join(e.Sample, d)
				}
			}
			if e.Sample == 2 {
				h.s2Drawn = append(h.s2Drawn, e.At)
			}
		case EventSampleDeclared:
			if e.Sample != 2 {
				continue
			}
			h.s2Declared = append(h.s2Declared, declaration{at: e.At, devices: e.Devices})
			for _, id := range e.Devices {
				if d, ok := h.idx[id]; ok && h.declaredAt[d].IsZero() {
					h.declaredAt[d] = e.At
				}
			}
		case EventDeviceTested:
			d, ok := h.idx[e.Device]
			if !ok || (e.Sample != 1 && e.Sample != 2) {
				continue
			}
			k := len(h.tests)
			t := test{at: e.At, date: h.cal.Date(e.At), sample: e.Sample, dev: d, findings: e.Findings, next: -1}
			t.classes, classes = classes[:len(e.Findings):len(e.Findings)], classes[len(e.Findings):]
			for j := range e.Findings {
				c, _, _ := classifyDays(e.Findings[j], t.date)
				t.classes[j] = codeOf(c)
				if c.Fails() {
					t.fails = true
				}
			}
			h.tests = append(h.tests, t)
			h.join(e.Sample, d)
			s := &h.samples[e.Sample]
			if s.first[d] < 0 {
				s.first[d] = int32(k)
			} else {
				h.tests[s.latest[d]].next = int32(k)
			}
			s.latest[d] = int32(k)
			s.count[d]++
			if e.Sample == 1 && t.fails && h.firstFail < 0 {
				h.firstFail = k
			}
		case EventSample2Refused:
			if h.refusedAt == nil {
				h.refusedAt = &e.At
			}
		case EventAssessorDecision:
			h.decisions = append(h.decisions, Decision{At: e.At, Question: e.Question, Decision: e.Decision})
		}
	}
}

// join adds device d to sample s.
func (h *history) join(s int, d int32) {
	sm := &h.samples[s]
	if !sm.member[d] {
		sm.member[d] = true
		sm.order = append(sm.order, d)
	}
}

// window returns the remediation window opened by the first failing Sample 1 test: its first and
// last local dates and the instants it starts and ends (end exclusive). ok is false when no
// Sample 1 test failed.
func (h *history) window() (first, last calendar.Date, start, end time.Time, ok bool) {
	if h.firstFail < 0 {
		return first, last, start, end, false
	}
	first = h.tests[h.firstFail].date
	last = first.AddDays(RemediationDays)
	return first, last, h.cal.StartOfDay(first), h.cal.EndOfDay(last), true
}

// classCode is a Class in one byte, for the per-finding store of a history.
type classCode uint8

var classByCode = [...]Class{ClassFail, ClassWithinGrace, ClassNoFix, ClassLow, ClassUnsupported}

func codeOf(c Class) classCode {
	for i, x := range classByCode {
		if x == c {
			return classCode(i)
		}
	}
	panic("rules: unknown class " + string(c))
}

func (c classCode) class() Class { return classByCode[c] }

func (c classCode) fails() bool { return c.class().Fails() }
