package register

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// DueItem is one deadline of one record that is due soon or late.
type DueItem struct {
	RecordID      string `json:"record_id"`
	Product       string `json:"product"`
	Version       string `json:"version"`
	CertificateID string `json:"certificate_id"`
	Scheme        Scheme `json:"scheme"`
	TLP           TLP    `json:"tlp"`
	Summary       string `json:"summary"`
	Deadline
	// Late is true when the deadline has passed without its work being done (or, for a
	// revocation, when the revocation time has come).
	Late bool `json:"late"`
}

// Due lists, across every open record, the deadlines of every kind that are late at now or fall
// due within `within` of now, earliest first. A calendar-date deadline is within when its day is
// on or before the local date of now+within.
func (g *Register) Due(ctx context.Context, within time.Duration, now time.Time) ([]DueItem, error) {
	if within < 0 {
		return nil, invalidError{fmt.Errorf("due within %s: want a duration of 0 or more, such as 14d", within)}
	}
	recs, err := g.List(ctx, Filter{OpenOnly: true}, now)
	if err != nil {
		return nil, err
	}
	horizon := now.Add(within)
	out := []DueItem{}
	for _, r := range recs {
		cal, err := r.Calendar()
		if err != nil {
			return nil, err
		}
		for _, d := range r.Deadlines.Items {
			late := d.State == StateLate || d.State == StateRevoked
			soon := d.State == StateOpen && d.Due != nil &&
				((d.Date != nil && !d.Date.After(cal.Date(horizon))) || (d.Date == nil && !d.Due.After(horizon)))
			if !late && !soon {
				continue
			}
			out = append(out, DueItem{RecordID: r.ID, Product: r.Product, Version: r.Version, CertificateID: r.CertificateID,
				Scheme: r.Scheme, TLP: r.TLP, Summary: r.Summary, Deadline: d, Late: late})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Due.Equal(*out[j].Due) {
			return out[i].Due.Before(*out[j].Due)
		}
		if out[i].RecordID != out[j].RecordID {
			return out[i].RecordID < out[j].RecordID
		}
		return out[i].Kind < out[j].Kind
	})
	return out, nil
}
