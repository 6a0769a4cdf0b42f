package api

import (
	"sort"
	"time"

	"github.com/ceplus/ceplus/collector/internal/assess"
	"github.com/ceplus/ceplus/collector/internal/sample"
	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/ceplus/ceplus/shared/rules"
)

// AssessmentView is an assessment's state as GET /assessments/{id} shows it.
type AssessmentView struct {
	ID        string          `json:"id"`
	CreatedAt time.Time       `json:"created_at"`
	Settings  assess.Settings `json:"settings"`
	Scope     ScopeView       `json:"scope"`
	Samples   []SampleView    `json:"samples"`
	// Declared is the latest Sample 2 declaration.
	Declared     *DeclarationView `json:"declared"`
	Tests        int              `json:"tests"`
	ScanFailures int              `json:"scan_failures"`
	Refused      *RefusalView     `json:"refused"`
	Decisions    []DecisionView   `json:"decisions"`
	Events       int64            `json:"events"`
	LastHash     string           `json:"last_hash"`
}

// ScopeView summarises the scope.
type ScopeView struct {
	Devices int            `json:"devices"`
	Builds  map[string]int `json:"builds"`
	// Frozen is set once the scope is frozen.
	Frozen *FrozenView `json:"frozen"`
	// ChangesAfterFreeze counts devices recorded after the freeze (not in the frozen scope).
	ChangesAfterFreeze int `json:"changes_after_freeze"`
}

// FrozenView is the frozen scope's hash.
type FrozenView struct {
	At        time.Time `json:"at"`
	ScopeHash string    `json:"scope_hash"`
	Devices   int       `json:"devices"`
}

// SampleView is one sample: its commitment first, then, once drawn, the revealed seed and the
// devices.
type SampleView struct {
	Sample      int                         `json:"sample"`
	Algorithm   string                      `json:"algorithm"`
	Commitment  string                      `json:"commitment"`
	CommittedAt time.Time                   `json:"committed_at"`
	Drawn       bool                        `json:"drawn"`
	DrawnAt     *time.Time                  `json:"drawn_at,omitempty"`
	Seed        string                      `json:"seed,omitempty"`
	ScopeHash   string                      `json:"scope_hash,omitempty"`
	Devices     []string                    `json:"devices,omitempty"`
	Builds      map[string]sample.BuildDraw `json:"builds,omitempty"`
	Untested    []string                    `json:"untested,omitempty"`
}

// DeclarationView is a Sample 2 declaration.
type DeclarationView struct {
	At      time.Time `json:"at"`
	Devices []string  `json:"devices"`
}

// RefusalView is the applicant's refusal of Sample 2.
type RefusalView struct {
	At     time.Time `json:"at"`
	Role   string    `json:"role"`
	Reason string    `json:"reason,omitempty"`
}

// DecisionView is an assessor decision.
type DecisionView struct {
	At       time.Time `json:"at"`
	Question string    `json:"question"`
	Decision string    `json:"decision"`
}

// hideSample2 says whether the caller must not see Sample 2: an applicant before the
// declaration.
func hideSample2(who principal, st *assess.State) bool {
	return who.Role == store.RoleApplicant && !st.Declared2()
}

func assessmentView(st *assess.State, who principal) AssessmentView {
	v := AssessmentView{ID: st.ID, CreatedAt: st.CreatedAt, Settings: st.Settings, Tests: len(st.Tests), ScanFailures: len(st.Failures),
		Samples: []SampleView{}, Decisions: []DecisionView{}, Events: st.LastSeq, LastHash: st.LastHash,
		Scope: ScopeView{Devices: len(st.Scope), Builds: map[string]int{}, ChangesAfterFreeze: len(st.Changes)}}
	for _, d := range st.Scope {
		v.Scope.Builds[d.Build]++
	}
	if f := st.Frozen; f != nil {
		v.Scope.Frozen = &FrozenView{At: f.At, ScopeHash: f.ScopeHash, Devices: len(f.Devices)}
	}
	for n := 1; n <= 2; n++ {
		if sv, ok := sampleView(st, n, who); ok {
			v.Samples = append(v.Samples, sv)
		}
	}
	if st.Declared != nil && !hideSample2(who, st) {
		v.Declared = &DeclarationView{At: st.Declared.At, Devices: st.Declared.Devices}
	}
	if r := st.Refused; r != nil {
		v.Refused = &RefusalView{At: r.At, Role: r.Role, Reason: r.Reason}
	}
	for _, d := range st.Decisions {
		v.Decisions = append(v.Decisions, DecisionView{At: d.At, Question: d.Question, Decision: d.Decision})
	}
	if hideSample2(who, st) {
		v.Tests = 0
		for _, t := range st.Tests {
			if t.Sample == 1 {
				v.Tests++
			}
		}
	}
	return v
}

func sampleView(st *assess.State, n int, who principal) (SampleView, bool) {
	sm := st.Samples[n]
	if sm == nil || (n == 2 && hideSample2(who, st)) {
		return SampleView{}, false
	}
	v := SampleView{Sample: n, Algorithm: sample.Algorithm, Commitment: sm.Commitment, CommittedAt: sm.CommittedAt}
	if sm.Drawn != nil {
		at := sm.DrawnAt
		v.Drawn, v.DrawnAt, v.Seed, v.ScopeHash = true, &at, sm.Drawn.Seed, sm.Drawn.ScopeHash
		v.Devices, v.Builds, v.Untested = sm.Devices, sm.Drawn.Builds, st.Untested(n)
	}
	return v, true
}

// DeviceView is one scope device with its samples and the status of its latest test in each.
type DeviceView struct {
	assess.ScopeDevice
	Samples []int `json:"samples"`
	// Status maps a sample number ("1", "2") to pass, fail or untested.
	Status map[string]rules.DeviceStatus `json:"status"`
}

// TestView is one device test with its findings classified on the test date.
type TestView struct {
	Device   string    `json:"device"`
	Sample   int       `json:"sample"`
	TestedAt time.Time `json:"tested_at"`
	Source   string    `json:"source"`
	Snapshot string    `json:"snapshot,omitempty"`
	// Inventory is the content hash of the inventory an agent test matched.
	Inventory string        `json:"inventory,omitempty"`
	Status    string        `json:"status"`
	Findings  []FindingView `json:"findings"`
	// Questions are findings the advisory data could not classify.
	Questions []string `json:"questions,omitempty"`
}

// FindingView is a finding with its 14-day-rule class.
type FindingView struct {
	rules.Finding
	Class rules.Class `json:"class"`
}

// latestTests returns the latest test of each (sample, device), visible to who, sorted.
func latestTests(st *assess.State, who principal, cal *calendar.Calendar) []TestView {
	type key struct {
		n int
		d string
	}
	latest := map[key]int{}
	for i, t := range st.Tests {
		if t.Sample == 2 && hideSample2(who, st) {
			continue
		}
		k := key{t.Sample, t.Device}
		if j, ok := latest[k]; !ok || !t.TestedAt.Before(st.Tests[j].TestedAt) {
			latest[k] = i
		}
	}
	out := make([]TestView, 0, len(latest))
	for _, i := range latest {
		t := st.Tests[i]
		tv := TestView{Device: t.Device, Sample: t.Sample, TestedAt: t.TestedAt, Source: t.Source, Snapshot: t.Snapshot, Inventory: t.Inventory,
			Status: string(rules.StatusPass), Findings: []FindingView{}, Questions: t.Questions}
		for _, f := range t.Findings {
			c := rules.ClassifyFinding(f, t.TestedAt, cal.Location())
			if c == rules.ClassFail || c == rules.ClassUnsupported {
				tv.Status = string(rules.StatusFail)
			}
			tv.Findings = append(tv.Findings, FindingView{Finding: f, Class: c})
		}
		out = append(out, tv)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Sample != out[j].Sample {
			return out[i].Sample < out[j].Sample
		}
		return out[i].Device < out[j].Device
	})
	return out
}
