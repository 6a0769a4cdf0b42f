package assess

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ceplus/ceplus/collector/internal/sample"
	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/rules"
)

// Case returns the assessment's history as a rules case for the instant now: the frozen scope
// (the current scope while not frozen), the policy, and the contract events.
func (st *State) Case(now time.Time) (rules.CEPlusCase, error) {
	cal, err := st.Settings.Calendar()
	if err != nil {
		return rules.CEPlusCase{}, err
	}
	c := rules.CEPlusCase{Now: now, Calendar: cal, TestAllTypes: st.Settings.TestAllTypes}
	if st.Frozen != nil {
		c.Devices = st.Frozen.Devices
		c.Events = append(c.Events, rules.Event{At: st.Frozen.At, Kind: rules.EventScopeFrozen})
	} else {
		for _, d := range st.Scope {
			c.Devices = append(c.Devices, d.Rules())
		}
	}
	for _, sm := range st.Samples[1:] {
		if sm != nil && sm.Drawn != nil {
			c.Events = append(c.Events, rules.Event{At: sm.DrawnAt, Kind: rules.EventSampleDrawn, Sample: sm.Number, Devices: sm.Devices})
		}
	}
	for _, d := range st.Declarations {
		c.Events = append(c.Events, rules.Event{At: d.At, Kind: rules.EventSampleDeclared, Sample: 2, Devices: d.Devices})
	}
	for _, t := range st.Tests {
		c.Events = append(c.Events, rules.Event{At: t.TestedAt, Kind: rules.EventDeviceTested, Sample: t.Sample, Device: t.Device, Findings: t.Findings})
	}
	if st.Refused != nil {
		c.Events = append(c.Events, rules.Event{At: st.Refused.At, Kind: rules.EventSample2Refused})
	}
	for _, d := range st.Decisions {
		c.Events = append(c.Events, rules.Event{At: d.At, Kind: rules.EventAssessorDecision, Question: d.Question, Decision: d.Decision})
	}
	return c, nil
}

// Verdict is the rules engine's answer on an assessment's stored history, with what it was
// computed from.
type Verdict struct {
	rules.CEPlusVerdict
	Assessment string    `json:"assessment"`
	Now        time.Time `json:"now"`
	// Seq and Hash identify the newest event the verdict saw.
	Seq      int64  `json:"seq"`
	Hash     string `json:"hash"`
	Snapshot string `json:"snapshot"`
	// MatcherQuestions are findings whose class the advisory data could not decide.
	MatcherQuestions []string `json:"matcher_questions"`
}

// Verdict evaluates the stored history at the clock's now (rules.EvaluateCEPlus).
func (s *Service) Verdict(ctx context.Context, id string) (Verdict, error) {
	st, err := s.Load(ctx, id)
	if err != nil {
		return Verdict{}, err
	}
	return st.Verdict(s.now())
}

// Verdict evaluates the state at now.
func (st *State) Verdict(now time.Time) (Verdict, error) {
	c, err := st.Case(now)
	if err != nil {
		return Verdict{}, err
	}
	v := Verdict{CEPlusVerdict: rules.EvaluateCEPlus(c), Assessment: st.ID, Now: now, Seq: st.LastSeq, Hash: st.LastHash,
		Snapshot: st.Settings.Snapshot, MatcherQuestions: []string{}}
	for _, t := range st.Tests {
		if !t.TestedAt.After(now) {
			v.MatcherQuestions = append(v.MatcherQuestions, t.Questions...)
		}
	}
	return v, nil
}

// RecordVerdict evaluates the verdict and records it (verdict_recorded), so that the history
// shows what was issued and on which events.
func (s *Service) RecordVerdict(ctx context.Context, id string) (Verdict, error) {
	unlock, err := s.lock(ctx, id)
	if err != nil {
		return Verdict{}, err
	}
	defer unlock()
	v, err := s.Verdict(ctx, id)
	if err != nil {
		return Verdict{}, err
	}
	_, err = s.appendEvent(ctx, id, KindVerdict, verdictRecorded{Outcome: v.Outcome, CECertificate: v.CECertificate, Seq: v.Seq})
	return v, err
}

// VerifyReport is the result of checking an assessment's history.
type VerifyReport struct {
	Assessment string `json:"assessment"`
	OK         bool   `json:"ok"`
	Events     int64  `json:"events"`
	LastHash   string `json:"last_hash"`
	// Chain is "ok" or what is broken (the first broken seq).
	Chain string `json:"chain"`
	// BrokenSeq is the first event that does not verify, 0 when the chain is intact.
	BrokenSeq int64       `json:"broken_seq,omitempty"`
	Draws     []DrawCheck `json:"draws"`
	Problems  []string    `json:"problems"`
}

// DrawCheck says whether one recorded draw re-runs to the same devices from its revealed seed.
type DrawCheck struct {
	Sample     int    `json:"sample"`
	Commitment string `json:"commitment"`
	OK         bool   `json:"ok"`
	Problem    string `json:"problem,omitempty"`
}

// Verify checks the assessment's hash chain (store.VerifyChain) and re-runs every draw from its
// revealed seed against the frozen scope (sample.Verify).
func (s *Service) Verify(ctx context.Context, id string) (VerifyReport, error) {
	r := VerifyReport{Assessment: id, OK: true, Chain: "ok", Draws: []DrawCheck{}, Problems: []string{}}
	err := s.store.VerifyChain(ctx, id)
	var ce *store.ChainError
	switch {
	case errors.As(err, &ce):
		r.OK, r.Chain, r.BrokenSeq = false, ce.Error(), ce.Seq
	case err != nil:
		return r, fmt.Errorf("assessment %s: verify chain: %w", id, err)
	}
	st, err := s.Load(ctx, id)
	if err != nil {
		var we *Error
		if errors.As(err, &we) {
			return r, err
		}
		r.OK = false
		r.Problems = append(r.Problems, fmt.Sprintf("the history cannot be replayed: %v", err))
		return r, nil
	}
	r.Events, r.LastHash = st.LastSeq, st.LastHash
	if st.Frozen != nil {
		devs := make([]rules.Device, len(st.Frozen.Devices))
		copy(devs, st.Frozen.Devices)
		if h := sample.ScopeHash(devs); h != st.Frozen.ScopeHash {
			r.OK = false
			r.Problems = append(r.Problems, fmt.Sprintf("the frozen scope hashes to %s, the freeze recorded %s", h, st.Frozen.ScopeHash))
		}
	}
	for _, sm := range st.Samples[1:] {
		if sm == nil || sm.Drawn == nil {
			continue
		}
		dc := DrawCheck{Sample: sm.Number, Commitment: sm.Commitment, OK: true}
		if err := sample.Verify(*sm.Drawn, st.Frozen.Devices); err != nil {
			dc.OK, dc.Problem, r.OK = false, err.Error(), false
		}
		if sm.Drawn.ScopeHash != st.Frozen.ScopeHash {
			dc.OK, r.OK = false, false
			dc.Problem += fmt.Sprintf("; drawn from scope %s, frozen scope is %s", sm.Drawn.ScopeHash, st.Frozen.ScopeHash)
		}
		r.Draws = append(r.Draws, dc)
	}
	r.Problems = append(r.Problems, st.Ignored...)
	if len(st.Ignored) > 0 {
		r.OK = false
	}
	return r, nil
}
