package assess

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/ceplus/ceplus/collector/internal/sample"
	"github.com/ceplus/ceplus/collector/internal/store"
)

// seedKey is the Meta key under which a committed seed waits for its reveal. The API never
// reads it; only Draw does.
func seedKey(id string, n int, commitment string) string {
	return fmt.Sprintf("assess/%s/sample%d/seed/%s", id, n, commitment)
}

func checkSample(n int) error {
	if n != 1 && n != 2 {
		return fail(ErrInvalid, "invalid_sample", "sample %d: want 1 or 2", n)
	}
	return nil
}

// Commit generates the seed of sample n and records its commitment (sample_committed), before
// anything about the draw is revealed. A pending commitment is returned as it is.
func (s *Service) Commit(ctx context.Context, id string, n int) (*Sample, error) {
	if err := checkSample(n); err != nil {
		return nil, err
	}
	unlock, err := s.lock(ctx, id)
	if err != nil {
		return nil, err
	}
	defer unlock()
	_, sm, err := s.commit(ctx, id, n)
	return sm, err
}

func (s *Service) commit(ctx context.Context, id string, n int) (*State, *Sample, error) {
	st, err := s.Load(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if sm := st.Samples[n]; sm != nil {
		return st, sm, nil
	}
	if st.Frozen == nil {
		return nil, nil, fail(ErrConflict, "scope_not_frozen", "assessment %s: the scope is not frozen: run 'assessment freeze %s' before drawing", id, id)
	}
	if n == 2 {
		s1 := st.Samples[1]
		if s1 == nil || s1.Drawn == nil {
			return nil, nil, fail(ErrConflict, "sample1_not_drawn", "assessment %s: Sample 2 is drawn after Sample 1: draw and test Sample 1 first", id)
		}
		if u := st.Untested(1); len(u) > 0 {
			return nil, nil, fail(ErrConflict, "sample1_untested", "assessment %s: Sample 2 is drawn only after Sample 1 was tested (RULES.md §1.3); untested: %s", id, list(u))
		}
	}
	seed, err := sample.NewSeed(s.rand)
	if err != nil {
		return nil, nil, fmt.Errorf("assessment %s: new seed: %w", id, err)
	}
	c := sample.Commitment(seed)
	if err := s.store.SetMeta(ctx, seedKey(id, n, c), []byte(seed.String())); err != nil {
		return nil, nil, fmt.Errorf("assessment %s: keep the seed of Sample %d: %w", id, n, err)
	}
	e, err := s.appendEvent(ctx, id, KindCommitted, committed{Sample: n, Algorithm: sample.Algorithm, Commitment: c, ScopeHash: st.Frozen.ScopeHash})
	if err != nil {
		return nil, nil, err
	}
	if err := st.applyNext(e); err != nil {
		return nil, nil, err
	}
	return st, st.Samples[n], nil
}

// Draw reveals the seed of sample n and records the draw (sample_drawn); without a pending
// commitment it commits first, so the commitment event always precedes the draw.
func (s *Service) Draw(ctx context.Context, id string, n int) (*Sample, error) {
	if err := checkSample(n); err != nil {
		return nil, err
	}
	unlock, err := s.lock(ctx, id)
	if err != nil {
		return nil, err
	}
	defer unlock()
	st, sm, err := s.commit(ctx, id, n)
	if err != nil {
		return nil, err
	}
	if sm.Drawn != nil {
		return nil, fail(ErrConflict, "sample_drawn", "assessment %s: Sample %d was already drawn (commitment %s): samples are drawn once", id, n, sm.Commitment)
	}
	raw, err := s.store.GetMeta(ctx, seedKey(id, n, sm.Commitment))
	if errors.Is(err, store.ErrNotFound) {
		return nil, fail(ErrConflict, "seed_lost", "assessment %s: the seed of Sample %d's commitment %s is not in the store: it cannot be revealed; record an assessor decision", id, n, sm.Commitment)
	}
	if err != nil {
		return nil, fmt.Errorf("assessment %s: read the seed of Sample %d: %w", id, n, err)
	}
	seed, err := sample.ParseSeed(string(raw))
	if err != nil || sample.Commitment(seed) != sm.Commitment {
		return nil, fmt.Errorf("assessment %s: the stored seed of Sample %d does not match its commitment %s", id, n, sm.Commitment)
	}
	var exclude []string
	if n == 2 {
		exclude = st.Samples[1].Devices
	}
	res, err := sample.Draw(st.Frozen.Devices, sample.Policy{TestAllTypes: st.Settings.TestAllTypes}, n, exclude, seed)
	if err != nil {
		return nil, fail(ErrInvalid, "draw_failed", "assessment %s: draw Sample %d: %v", id, n, err)
	}
	var devs []string
	for _, ids := range res.Devices {
		devs = append(devs, ids...)
	}
	sort.Strings(devs)
	e, err := s.appendEvent(ctx, id, KindDrawn, drawn{Sample: n, Devices: devs, Result: res})
	if err != nil {
		return nil, err
	}
	if err := st.applyNext(e); err != nil {
		return nil, err
	}
	return st.Samples[n], nil
}

// Declare declares the Sample 2 devices to the applicant (sample_declared). It may be repeated:
// the latest declaration before the first Sample 2 test is the one the rules judge.
func (s *Service) Declare(ctx context.Context, id string) (*Declaration, error) {
	unlock, err := s.lock(ctx, id)
	if err != nil {
		return nil, err
	}
	defer unlock()
	st, err := s.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	sm := st.Samples[2]
	if sm == nil || sm.Drawn == nil {
		return nil, fail(ErrConflict, "sample2_not_drawn", "assessment %s: Sample 2 is not drawn: run 'assessment draw --sample 2 %s' first", id, id)
	}
	if _, err := s.appendEvent(ctx, id, KindDeclared, declared{Sample: 2, Devices: sm.Devices}); err != nil {
		return nil, err
	}
	st, err = s.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	return st.Declared, nil
}

// list shortens a device list for a message.
func list(ids []string) string {
	const max = 10
	if len(ids) <= max {
		return fmt.Sprint(ids)
	}
	return fmt.Sprintf("%v and %d more", ids[:max], len(ids)-max)
}
