package assess

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/ceplus/ceplus/collector/internal/sample"
	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/rules"
)

// State is an assessment as its events say it is now. It is rebuilt from the store for every
// step; nothing else holds workflow state.
type State struct {
	ID        string
	Settings  Settings
	CreatedAt time.Time
	// Scope is the current scope, in the order devices were added.
	Scope []ScopeDevice
	index map[string]int
	// Frozen is set once the scope is frozen.
	Frozen *Frozen
	// Changes are the scope changes recorded after the freeze.
	Changes []ScopeDevice
	Samples [3]*Sample // index 1 and 2
	// Declared is the latest Sample 2 declaration, nil when none; Declarations are all of them.
	Declared     *Declaration
	Declarations []Declaration
	Tests        []Test
	Failures     []ScanFailure
	Scans        []ScanStart
	// Refused is set when the applicant refused Sample 2.
	Refused   *Refusal
	Decisions []Decision
	// Discovery is the network discovery part of the history (discovery_events.go).
	Discovery DiscoveryState
	// LastSeq and LastHash identify the newest event.
	LastSeq  int64
	LastHash string
	// Ignored lists events the replay did not use (a second draw of one sample, written by
	// another collector process at the same time), with the reason.
	Ignored []string
}

// Frozen is the frozen scope.
type Frozen struct {
	At        time.Time
	Seq       int64
	ScopeHash string
	Devices   []rules.Device
}

// Sample is one sample's commitment and draw.
type Sample struct {
	Number      int
	Commitment  string
	CommittedAt time.Time
	// Drawn is nil until the seed is revealed.
	Drawn   *sample.Result
	DrawnAt time.Time
	Devices []string
	set     map[string]bool
}

// Has reports whether the device is in the drawn sample.
func (s *Sample) Has(id string) bool { return s != nil && s.set[id] }

// Declaration is a Sample 2 declaration to the applicant.
type Declaration struct {
	At      time.Time
	Devices []string
}

// Test is one recorded device test.
type Test struct {
	Seq        int64
	RecordedAt time.Time
	tested
}

// ScanFailure is a device a scan could not test.
type ScanFailure struct {
	At time.Time
	scanFailed
}

// ScanStart is a scan as it was started.
type ScanStart struct {
	At time.Time
	scanStarted
}

// Refusal is the applicant's refusal of Sample 2.
type Refusal struct {
	At time.Time
	refused
}

// Decision is an assessor decision on a question.
type Decision struct {
	At time.Time
	decision
}

// Device returns the scope device with the id.
func (st *State) Device(id string) (ScopeDevice, bool) {
	i, ok := st.index[id]
	if !ok {
		return ScopeDevice{}, false
	}
	return st.Scope[i], true
}

// Load replays an assessment's events; ErrNotFound (as *Error) when there is none.
func (s *Service) Load(ctx context.Context, id string) (*State, error) {
	evs, err := s.store.ListEvents(ctx, id, 0)
	if err != nil {
		return nil, fmt.Errorf("assessment %s: read events: %w", id, err)
	}
	if len(evs) == 0 || evs[0].Kind != KindCreated {
		return nil, fail(ErrNotFound, "assessment_not_found", "assessment %q not found: list them with 'ceplus-collector assessment list'", id)
	}
	return replay(id, evs)
}

func replay(id string, evs []store.Event) (*State, error) {
	st := &State{ID: id, index: map[string]int{}}
	for _, e := range evs {
		if err := st.apply(e); err != nil {
			return nil, fmt.Errorf("assessment %s: event %d (%s): %w", id, e.Seq, e.Kind, err)
		}
		st.LastSeq, st.LastHash = e.Seq, e.Hash
	}
	return st, nil
}

// applyNext applies an event this process has just appended, so that a step need not replay
// the whole history again; it must directly follow the state's last event.
func (st *State) applyNext(e store.Event) error {
	if e.Seq != st.LastSeq+1 {
		return fmt.Errorf("assessment %s: event %d was appended after %d, but the state is at %d: another step ran at the same time; retry", st.ID, e.Seq, e.Seq-1, st.LastSeq)
	}
	if err := st.apply(e); err != nil {
		return fmt.Errorf("assessment %s: event %d (%s): %w", st.ID, e.Seq, e.Kind, err)
	}
	st.LastSeq, st.LastHash = e.Seq, e.Hash
	return nil
}

func (st *State) apply(e store.Event) error {
	switch e.Kind {
	case KindCreated:
		st.CreatedAt = e.At
		return json.Unmarshal(e.Payload, &st.Settings)
	case KindScopeAdded:
		var p scopeAdded
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		if p.AfterFreeze {
			st.Changes = append(st.Changes, p.Devices...)
			return nil
		}
		for _, d := range p.Devices {
			if i, ok := st.index[d.ID]; ok {
				st.Scope[i] = d
				continue
			}
			st.index[d.ID] = len(st.Scope)
			st.Scope = append(st.Scope, d)
		}
	case KindAgentLinked:
		var p agentLinked
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		if i, ok := st.index[p.Device]; ok {
			st.Scope[i].Agent = p.Agent
		}
	case KindFrozen:
		var p frozen
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		devs := make([]rules.Device, len(st.Scope))
		for i, d := range st.Scope {
			devs[i] = d.Rules()
		}
		st.Frozen = &Frozen{At: e.At, Seq: e.Seq, ScopeHash: p.ScopeHash, Devices: devs}
	case KindCommitted:
		var p committed
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		if p.Sample != 1 && p.Sample != 2 {
			return errors.New("sample number not 1 or 2")
		}
		if st.Samples[p.Sample] != nil {
			st.Ignored = append(st.Ignored, fmt.Sprintf("event %d: a second commitment for Sample %d", e.Seq, p.Sample))
			return nil
		}
		st.Samples[p.Sample] = &Sample{Number: p.Sample, Commitment: p.Commitment, CommittedAt: e.At}
	case KindDrawn:
		var p drawn
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		if p.Sample != 1 && p.Sample != 2 {
			return errors.New("sample number not 1 or 2")
		}
		sm := st.Samples[p.Sample]
		if sm == nil || sm.Drawn != nil || sm.Commitment != p.Result.Commitment {
			st.Ignored = append(st.Ignored, fmt.Sprintf("event %d: a draw of Sample %d that does not reveal its pending commitment", e.Seq, p.Sample))
			return nil
		}
		r := p.Result
		sm.Drawn, sm.DrawnAt, sm.Devices = &r, e.At, p.Devices
		sm.set = make(map[string]bool, len(p.Devices))
		for _, d := range p.Devices {
			sm.set[d] = true
		}
	case KindDeclared:
		var p declared
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		st.Declarations = append(st.Declarations, Declaration{At: e.At, Devices: p.Devices})
		st.Declared = &st.Declarations[len(st.Declarations)-1]
	case KindScanStarted:
		var p scanStarted
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		st.Scans = append(st.Scans, ScanStart{At: e.At, scanStarted: p})
	case KindTested:
		var p tested
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		st.Tests = append(st.Tests, Test{Seq: e.Seq, RecordedAt: e.At, tested: p})
	case KindScanFailed:
		var p scanFailed
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		st.Failures = append(st.Failures, ScanFailure{At: e.At, scanFailed: p})
	case KindRefused:
		var p refused
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		if st.Refused == nil {
			st.Refused = &Refusal{At: e.At, refused: p}
		}
	case KindDecision:
		var p decision
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		st.Decisions = append(st.Decisions, Decision{At: e.At, decision: p})
	case KindVerdict:
	case KindScannerAdded, KindScannerRemoved, KindDiscoveryStarted, KindDiscoveryRecorded, KindDiscoveryFailed, KindHostExcluded:
		return st.applyDiscovery(e.At, e.Kind, e.Payload)
	default:
		st.Ignored = append(st.Ignored, fmt.Sprintf("event %d: unknown kind %q", e.Seq, e.Kind))
	}
	return nil
}

// Declared2 reports whether Sample 2 has been declared to the applicant.
func (st *State) Declared2() bool {
	return st.Declared != nil && st.Samples[2] != nil && st.Samples[2].Drawn != nil
}

// Untested returns the devices of a drawn sample that have no test in it yet, sorted.
func (st *State) Untested(n int) []string {
	sm := st.Samples[n]
	if sm == nil || sm.Drawn == nil {
		return nil
	}
	seen := map[string]bool{}
	for _, t := range st.Tests {
		if t.Sample == n {
			seen[t.Device] = true
		}
	}
	var out []string
	for _, d := range sm.Devices {
		if !seen[d] {
			out = append(out, d)
		}
	}
	sort.Strings(out)
	return out
}
