package assess

import (
	"time"

	"github.com/ceplus/ceplus/shared/rules"
)

// CaseJSON is a rules contract v1 case (shared/contracts/README.md), as `rules evaluate` reads
// it. Assessment, ScopeHash and Snapshot are extra fields the contract allows.
type CaseJSON struct {
	Contract   int            `json:"contract"`
	Scheme     string         `json:"scheme"`
	Now        string         `json:"now"`
	Assessment string         `json:"assessment"`
	ScopeHash  string         `json:"scope_hash,omitempty"`
	Snapshot   string         `json:"snapshot"`
	Policy     PolicyJSON     `json:"policy"`
	Devices    []rules.Device `json:"devices"`
	Events     []EventJSON    `json:"events"`
}

// PolicyJSON is a case's policy; Holidays is left out when the built-in calendar applies.
type PolicyJSON struct {
	Timezone     string    `json:"timezone"`
	Holidays     *[]string `json:"holidays,omitempty"`
	TestAllTypes []string  `json:"test_all_types"`
}

// EventJSON is one contract event.
type EventJSON struct {
	At       string           `json:"at"`
	Kind     rules.EventKind  `json:"kind"`
	Sample   *int             `json:"sample,omitempty"`
	Devices  *[]string        `json:"devices,omitempty"`
	Device   string           `json:"device,omitempty"`
	Findings *[]rules.Finding `json:"findings,omitempty"`
	Question string           `json:"question,omitempty"`
	Decision *string          `json:"decision,omitempty"`
}

// ExportCase returns the assessment as a contract v1 case for the instant now: `rules evaluate`
// on it gives the collector's verdict at now.
func (st *State) ExportCase(now time.Time) (CaseJSON, error) {
	c, err := st.Case(now)
	if err != nil {
		return CaseJSON{}, err
	}
	out := CaseJSON{Contract: rules.Contract, Scheme: string(rules.SchemeCEPlus), Now: stamp(now), Assessment: st.ID, Snapshot: st.Settings.Snapshot,
		Policy:  PolicyJSON{Timezone: st.Settings.Timezone, TestAllTypes: st.Settings.TestAllTypes},
		Devices: c.Devices, Events: make([]EventJSON, 0, len(c.Events))}
	if out.Devices == nil {
		out.Devices = []rules.Device{}
	}
	if st.Frozen != nil {
		out.ScopeHash = st.Frozen.ScopeHash
	}
	if st.Settings.Holidays != nil {
		h := st.Settings.Holidays
		out.Policy.Holidays = &h
	}
	for _, e := range c.Events {
		j := EventJSON{At: stamp(e.At), Kind: e.Kind}
		switch e.Kind {
		case rules.EventSampleDrawn, rules.EventSampleDeclared:
			n, devs := e.Sample, e.Devices
			if devs == nil {
				devs = []string{}
			}
			j.Sample, j.Devices = &n, &devs
		case rules.EventDeviceTested:
			n, fs := e.Sample, e.Findings
			if fs == nil {
				fs = []rules.Finding{}
			}
			j.Sample, j.Device, j.Findings = &n, e.Device, &fs
		case rules.EventAssessorDecision:
			d := e.Decision
			j.Question, j.Decision = e.Question, &d
		}
		out.Events = append(out.Events, j)
	}
	return out, nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
