package assess

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ceplus/ceplus/shared/rules"
)

// ImportRequest carries the results of devices tested without an agent.
type ImportRequest struct {
	Sample int `json:"sample"`
	// TestedAt is the default test time of the devices; zero means now.
	TestedAt time.Time      `json:"tested_at,omitzero"`
	Devices  []DeviceResult `json:"devices"`
}

// DeviceResult is one device's test: its findings in the contract v1 form ("findings": [] when
// nothing was found).
type DeviceResult struct {
	Device   string          `json:"device"`
	TestedAt time.Time       `json:"tested_at,omitzero"`
	Findings []rules.Finding `json:"findings"`
}

// ImportResults records imported tests (device_tested, source "import"). Every device must be
// in the drawn sample, every finding valid, and test times between the draw and now.
func (s *Service) ImportResults(ctx context.Context, id string, req ImportRequest) ([]string, error) {
	if err := checkSample(req.Sample); err != nil {
		return nil, err
	}
	unlock, err := s.lock(ctx, id)
	if err != nil {
		return nil, err
	}
	defer unlock()
	st, err := s.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(req.Devices) == 0 {
		return nil, fail(ErrInvalid, "invalid_results", "results: no devices: give {\"sample\": N, \"devices\": [{\"device\": ID, \"findings\": [...]}]}")
	}
	now := s.now()
	var want []string
	for _, d := range req.Devices {
		want = append(want, d.Device)
	}
	if _, err := st.testable(req.Sample, want, now); err != nil {
		return nil, err
	}
	sm := st.Samples[req.Sample]
	var recorded []tested
	for i, d := range req.Devices {
		at := d.TestedAt
		if at.IsZero() {
			at = req.TestedAt
		}
		if at.IsZero() {
			at = now
		}
		p := fmt.Sprintf("devices[%d] (%s)", i, d.Device)
		switch {
		case at.After(now):
			return nil, fail(ErrInvalid, "invalid_results", "results %s: tested_at %s is in the future (now %s): give the time the device was tested", p, at.Format(time.RFC3339), now.Format(time.RFC3339))
		case at.Before(sm.DrawnAt):
			return nil, fail(ErrInvalid, "invalid_results", "results %s: tested_at %s is before Sample %d was drawn (%s): only tests after the draw count", p, at.Format(time.RFC3339), req.Sample, sm.DrawnAt.Format(time.RFC3339))
		case req.Sample == 2 && at.Before(st.Declared.At):
			return nil, fail(ErrInvalid, "invalid_results", "results %s: tested_at %s is before Sample 2 was declared (%s)", p, at.Format(time.RFC3339), st.Declared.At.Format(time.RFC3339))
		case d.Findings == nil:
			return nil, fail(ErrInvalid, "invalid_results", "results %s: findings is missing: a test with nothing found has \"findings\": []", p)
		}
		fs := make([]rules.Finding, len(d.Findings))
		for j, f := range d.Findings {
			g, err := checkFinding(f)
			if err != nil {
				return nil, fail(ErrInvalid, "invalid_results", "results %s.findings[%d]: %v", p, j, err)
			}
			fs[j] = g
		}
		recorded = append(recorded, tested{Sample: req.Sample, Device: d.Device, TestedAt: at, Findings: fs, Source: "import"})
	}
	var out []string
	for _, t := range recorded {
		if _, err := s.appendEvent(ctx, id, KindTested, t); err != nil {
			return out, err
		}
		out = append(out, t.Device)
	}
	return out, nil
}

// checkFinding validates an imported finding as the contract does and returns its normal form.
func checkFinding(f rules.Finding) (rules.Finding, error) {
	if len(f.IDs) == 0 && !f.Unsupported {
		return f, fmt.Errorf("ids is empty: give the vulnerability ids with their aliases")
	}
	for _, id := range f.IDs {
		if strings.TrimSpace(id) == "" {
			return f, fmt.Errorf("ids has an empty id")
		}
	}
	if f.IDs == nil {
		f.IDs = []string{}
	}
	if sv := f.Severity; sv != nil {
		if sv.CVSS3 != nil && (*sv.CVSS3 < 0 || *sv.CVSS3 > 10) {
			return f, fmt.Errorf("severity.cvss3 %v: want a score from 0 to 10", *sv.CVSS3)
		}
		if sv.Vendor != "" {
			v := strings.ToLower(sv.Vendor)
			if !slices.Contains(rules.VendorSeverities, v) {
				return f, fmt.Errorf("severity.vendor %q: want one of %s", sv.Vendor, strings.Join(rules.VendorSeverities, ", "))
			}
			g := *sv
			g.Vendor = v
			f.Severity = &g
		}
		if sv.CVSS3 == nil && sv.Vendor == "" {
			f.Severity = nil
		}
	}
	return f, nil
}

// RefuseRequest records the applicant's refusal of Sample 2.
type RefuseRequest struct {
	Reason string `json:"reason,omitempty"`
}

// Refuse records that the applicant refuses Sample 2 (sample2_refused): CE+ is then not
// achieved and the CE certificate stays valid. role is who recorded it.
func (s *Service) Refuse(ctx context.Context, id, role string, req RefuseRequest) error {
	unlock, err := s.lock(ctx, id)
	if err != nil {
		return err
	}
	defer unlock()
	st, err := s.Load(ctx, id)
	if err != nil {
		return err
	}
	if st.Refused != nil {
		return fail(ErrConflict, "already_refused", "assessment %s: Sample 2 was already refused at %s", id, st.Refused.At.Format(time.RFC3339))
	}
	if st.Samples[1] == nil || st.Samples[1].Drawn == nil {
		return fail(ErrConflict, "sample1_not_drawn", "assessment %s: Sample 1 is not drawn yet: there is no Sample 2 to refuse", id)
	}
	_, err = s.appendEvent(ctx, id, KindRefused, refused{Role: role, Reason: req.Reason})
	return err
}

// DecideRequest is an assessor's decision on a question.
type DecideRequest struct {
	Question string `json:"question"`
	Decision string `json:"decision"`
}

// Decide records an assessor decision (assessor_decision).
func (s *Service) Decide(ctx context.Context, id string, req DecideRequest) error {
	if strings.TrimSpace(req.Decision) == "" || strings.TrimSpace(req.Question) == "" {
		return fail(ErrInvalid, "invalid_decision", "give both the question (as the verdict states it) and the decision")
	}
	unlock, err := s.lock(ctx, id)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := s.Load(ctx, id); err != nil {
		return err
	}
	_, err = s.appendEvent(ctx, id, KindDecision, decision(req))
	return err
}
