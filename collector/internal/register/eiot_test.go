package register

import (
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/ceplus/ceplus/shared/rules"
	"github.com/google/go-cmp/cmp"
)

// TestEIoTDeadlines checks e-IoT notices across weekends, bank holidays, replaced holiday lists
// and time zones, against the engine and against dates worked out by hand.
func TestEIoTDeadlines(t *testing.T) {
	type want struct{ Temp, Risk, Perm, Resp string }
	tests := []struct {
		name     string
		zone     string
		holidays []calendar.Date
		triage   rules.Triage
		notified string
		want     want
	}{
		{"contract example, over a weekend", "", nil, rules.TriageRed, "2026-01-09T10:00:00Z",
			want{"2026-01-12", "2026-01-14", "2026-01-23", "2026-01-11T10:00:00Z"}},
		{"Easter: Good Friday and Easter Monday skipped", "", nil, rules.TriageRed, "2026-04-02T15:00:00Z",
			want{"2026-04-07", "2026-04-09", "2026-04-20", "2026-04-04T15:00:00Z"}},
		{"green over Christmas and New Year", "", nil, rules.TriageGreen, "2026-12-23T12:00:00Z",
			want{"2027-01-11", "2027-01-15", "2027-02-08", "2026-12-25T12:00:00Z"}},
		{"a replaced holiday list", "", []calendar.Date{day("2026-01-12")}, rules.TriageRed, "2026-01-09T10:00:00Z",
			want{"2026-01-13", "2026-01-15", "2026-01-26", "2026-01-11T10:00:00Z"}},
		{"Auckland: already Friday there", "Pacific/Auckland", nil, rules.TriageRed, "2026-01-08T20:00:00Z",
			want{"2026-01-12", "2026-01-14", "2026-01-23", "2026-01-10T20:00:00Z"}},
		{"London: still Thursday", "Europe/London", nil, rules.TriageRed, "2026-01-08T20:00:00Z",
			want{"2026-01-09", "2026-01-13", "2026-01-22", "2026-01-10T20:00:00Z"}},
		{"New York: Friday evening is Friday", "America/New_York", nil, rules.TriageAmber, "2026-01-10T03:00:00Z",
			want{"2026-01-14", "2026-01-16", "2026-02-06", "2026-01-12T03:00:00Z"}},
	}
	backends(t, func(t *testing.T, g *Register) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				n := eiotRecord()
				n.TimeZone, n.Holidays = tt.zone, tt.holidays
				rec := mustCreate(t, g, n)
				notified := instant(tt.notified)
				got := mustApply(t, g, rec.ID, Change{Kind: ChangeTriage, Triage: tt.triage, Notified: &notified}, notified)
				engineAgrees(t, got, notified)
				have := want{item(t, got, KindTemporaryMitigation).Date.String(), item(t, got, KindRiskCalculation).Date.String(),
					item(t, got, KindPermanentMitigation).Date.String(), item(t, got, KindVendorResponse).Due.UTC().Format(time.RFC3339)}
				if diff := cmp.Diff(tt.want, have); diff != "" {
					t.Errorf("deadlines (-want +got):\n%s", diff)
				}
				if got.TLP != TLP(strings.ToUpper(string(tt.triage))) {
					t.Errorf("TLP %s, want the triage's %s", got.TLP, tt.triage)
				}
			})
		}
	})
}

// TestEIoTRetriage: a new notice voids the old one and restarts the vendor response and the
// permanent mitigation; the temporary mitigation and the risk calculation stay with the first.
func TestEIoTRetriage(t *testing.T) {
	backends(t, func(t *testing.T, g *Register) {
		rec := mustCreate(t, g, eiotRecord())
		n1 := instant("2026-01-05T09:00:00Z")
		mustApply(t, g, rec.ID, Change{Kind: ChangeTriage, Triage: rules.TriageAmber, Notified: &n1}, n1)
		mustApply(t, g, rec.ID, Change{Kind: ChangeDone, Milestone: KindVendorResponse}, n1.Add(24*time.Hour))
		mustApply(t, g, rec.ID, Change{Kind: ChangeDone, Milestone: KindTemporaryMitigation}, n1.Add(48*time.Hour))
		before, err := g.Get(t.Context(), rec.ID, n1.Add(72*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if p := item(t, before, KindPermanentMitigation).Date.String(); p != "2026-02-02" {
			t.Errorf("permanent mitigation before re-triage %s, want 2026-02-02", p)
		}
		n2 := instant("2026-01-12T10:00:00Z")
		got := mustApply(t, g, rec.ID, Change{Kind: ChangeTriage, RiskLevel: "basic", Notified: &n2}, n2)
		engineAgrees(t, got, n2)
		if got.Deadlines.EIoTFirstNotice == nil {
			t.Fatal("no first-notice answer after a re-triage")
		}
		tests := []struct {
			kind  DeadlineKind
			when  string
			state string
		}{
			{KindTemporaryMitigation, "2026-01-08", StateDone},
			{KindRiskCalculation, "2026-01-12", StateOpen},
			{KindPermanentMitigation, "2026-02-23", StateOpen},
			{KindVendorResponse, "2026-01-14T10:00:00Z", StateOpen}, // restarted: the earlier response was to the voided notice
		}
		for _, tt := range tests {
			t.Run(string(tt.kind), func(t *testing.T) {
				d := item(t, got, tt.kind)
				when := d.Due.UTC().Format(time.RFC3339)
				if d.Date != nil {
					when = d.Date.String()
				}
				if when != tt.when || d.State != tt.state {
					t.Errorf("%s: %s %s, want %s %s", tt.kind, when, d.State, tt.when, tt.state)
				}
			})
		}
		if !got.EIoT.Notices[0].Voided || got.EIoT.Notices[1].Voided || got.TLP != TLPGreen {
			t.Errorf("notices %+v, TLP %s: want the first voided, the second in force, TLP GREEN", got.EIoT.Notices, got.TLP)
		}
		early := instant("2026-01-11T10:00:00Z")
		if _, err := g.Apply(t.Context(), rec.ID, Change{Kind: ChangeTriage, Who: "bob", Triage: rules.TriageRed, Notified: &early}, n2); err == nil {
			t.Error("a notice older than the one in force was accepted")
		}
	})
}

func TestEIoTDeclinedFixAndWhite(t *testing.T) {
	backends(t, func(t *testing.T, g *Register) {
		rec := mustCreate(t, g, eiotRecord())
		n := instant("2026-01-09T10:00:00Z")
		mustApply(t, g, rec.ID, Change{Kind: ChangeTriage, Triage: rules.TriageRed, Notified: &n}, n)
		mustApply(t, g, rec.ID, Change{Kind: ChangeDeclineFix, Note: "end of life"}, n.Add(time.Hour))
		for _, tt := range []struct {
			name, now, state string
		}{
			{"a second before", "2026-01-25T23:59:59Z", StateOpen},
			{"at the revocation time", "2026-01-26T00:00:00Z", StateRevoked},
		} {
			t.Run(tt.name, func(t *testing.T) {
				now := instant(tt.now)
				got, err := g.Get(t.Context(), rec.ID, now)
				if err != nil {
					t.Fatal(err)
				}
				engineAgrees(t, got, now)
				rv := item(t, got, KindRevocation)
				if rv.Due.UTC().Format(time.RFC3339) != "2026-01-26T00:00:00Z" || rv.State != tt.state {
					t.Errorf("revocation %s %s, want 2026-01-26T00:00:00Z %s", rv.Due, rv.State, tt.state)
				}
			})
		}
		white := mustCreate(t, g, eiotRecord())
		got := mustApply(t, g, white.ID, Change{Kind: ChangeTriage, Triage: rules.TriageWhite, Notified: &n}, n)
		engineAgrees(t, got, n)
		if len(got.Deadlines.Items) != 0 || got.TLP != TLPWhite {
			t.Errorf("WHITE: items %+v, TLP %s; want none and WHITE", got.Deadlines.Items, got.TLP)
		}
	})
}
