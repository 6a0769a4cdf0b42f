package register

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRetention(t *testing.T) {
	backends(t, func(t *testing.T, g *Register) {
		open := mustCreate(t, g, eiotRecord())
		closed := mustCreate(t, g, euccRecord(3))
		closedAt := instant("2026-03-01T10:00:00Z")
		mustApply(t, g, closed.ID, Change{Kind: ChangeExit, Reason: ExitNoSecurity, Note: "documentation issue"}, closedAt)
		tests := []struct {
			name    string
			id      string
			now     string
			refused bool
			says    string
		}{
			{"an open record", open.ID, "2040-01-01T00:00:00Z", true, "still open"},
			{"a year after closure", closed.ID, "2027-03-01T10:00:00Z", true, "2031-03-01"},
			{"a second before five years", closed.ID, "2031-03-01T09:59:59Z", true, "at least 5 years"},
			{"five years after closure", closed.ID, "2031-03-01T10:00:00Z", false, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				now := instant(tt.now)
				tomb, err := g.Delete(t.Context(), tt.id, "dpo", "retention ended", now)
				if !tt.refused {
					if err != nil {
						t.Fatalf("Delete: %v", err)
					}
					if tomb.ID != tt.id || tomb.Events != 2 || !tomb.RetainedUntil.Equal(instant("2031-03-01T10:00:00Z")) || tomb.By != "dpo" {
						t.Errorf("tombstone %+v", tomb)
					}
					if _, err := g.Get(t.Context(), tt.id, now); !errors.Is(err, ErrNotRecord) {
						t.Errorf("Get after deletion = %v, want ErrNotRecord", err)
					}
					if _, err := g.st.GetErasure(t.Context(), tt.id); err != nil {
						t.Errorf("GetErasure: %v", err)
					}
					return
				}
				if !errors.Is(err, ErrRetention) || !strings.Contains(err.Error(), tt.says) {
					t.Fatalf("Delete = %v, want a retention refusal saying %q", err, tt.says)
				}
				t.Logf("refusal: %v", err)
				if _, err := g.Get(t.Context(), tt.id, now); err != nil {
					t.Errorf("record gone after a refused deletion: %v", err)
				}
			})
		}
		if _, err := g.Delete(t.Context(), open.ID, "dpo", "", t0); err == nil || errors.Is(err, ErrRetention) {
			t.Errorf("Delete without a reason = %v, want a refusal naming the reason", err)
		}
	})
}

// TestDue lists what is late or due within a window, for every deadline kind, across records.
func TestDue(t *testing.T) {
	backends(t, func(t *testing.T, g *Register) {
		eu := mustCreate(t, g, euccRecord(3))
		mustApply(t, g, eu.ID, Change{Kind: ChangeEUCC, Confirmed: dayp("2026-01-10"), AttackPotential: ptr(5)}, t0)
		mustApply(t, g, eu.ID, Change{Kind: ChangeExtensionRequest, Requested: dayp("2026-01-02"), Days: 60}, t0)
		io := mustCreate(t, g, eiotRecord())
		n := instant("2026-01-09T10:00:00Z")
		mustApply(t, g, io.ID, Change{Kind: ChangeTriage, Triage: "red", Notified: &n}, n)
		gone := mustCreate(t, g, eiotRecord())
		mustApply(t, g, gone.ID, Change{Kind: ChangeTriage, Triage: "red", Notified: &n}, n)
		mustApply(t, g, gone.ID, Change{Kind: ChangeExit, Reason: ExitNoSecurity}, n)
		now := instant("2026-01-12T12:00:00Z")
		type row struct {
			ID   string
			Kind DeadlineKind
			Late bool
		}
		tests := []struct {
			name   string
			within time.Duration
			done   []DeadlineKind
			want   []row
		}{
			{"now", 0, nil, []row{{io.ID, KindVendorResponse, true}, {io.ID, KindTemporaryMitigation, false}}},
			{"14 days", 14 * 24 * time.Hour, nil, []row{{io.ID, KindVendorResponse, true}, {io.ID, KindTemporaryMitigation, false},
				{io.ID, KindRiskCalculation, false}, {io.ID, KindPermanentMitigation, false}}},
			{"60 days, after some work", 60 * 24 * time.Hour, []DeadlineKind{KindVendorResponse, KindTemporaryMitigation},
				[]row{{io.ID, KindRiskCalculation, false}, {io.ID, KindPermanentMitigation, false}, {eu.ID, KindExtensionAnswer, false}, {eu.ID, KindImpactAnalysis, false}}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				for _, k := range tt.done {
					mustApply(t, g, io.ID, Change{Kind: ChangeDone, Milestone: k}, now)
				}
				items, err := g.Due(t.Context(), tt.within, now)
				if err != nil {
					t.Fatal(err)
				}
				var got []row
				for _, it := range items {
					got = append(got, row{it.RecordID, it.Kind, it.Late})
				}
				if len(got) != len(tt.want) {
					t.Fatalf("Due = %+v, want %+v", got, tt.want)
				}
				for i := range got {
					if got[i] != tt.want[i] {
						t.Errorf("Due[%d] = %+v, want %+v", i, got[i], tt.want[i])
					}
				}
			})
		}
	})
}
