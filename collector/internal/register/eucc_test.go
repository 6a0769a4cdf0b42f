package register

import (
	"fmt"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/ceplus/ceplus/shared/rules"
)

// TestEUCCBandEdges walks both edges of every attack-potential band at every AVA_VAN level
// (RULES.md §2's table) and checks each deadline against the engine and against the table.
func TestEUCCBandEdges(t *testing.T) {
	// The table, written out: per AVA_VAN level, per band (0–9, 10–13, 14–19, 20–24, ≥25).
	table := map[int][5]string{
		1: {"60", "ma", "holder", "holder", "holder"},
		2: {"60", "ma", "holder", "holder", "holder"},
		3: {"60", "90", "ma", "holder", "holder"},
		4: {"60", "90", "90", "ma", "holder"},
		5: {"60", "90", "90", "90", "holder"},
	}
	edges := []struct{ potential, band int }{{0, 0}, {9, 0}, {10, 1}, {13, 1}, {14, 2}, {19, 2}, {20, 3}, {24, 3}, {25, 4}, {40, 4}}
	confirmed := day("2026-01-10")
	now := instant("2026-02-01T12:00:00Z")
	backends(t, func(t *testing.T, g *Register) {
		for van := 1; van <= 5; van++ {
			for _, e := range edges {
				t.Run(fmt.Sprintf("AVA_VAN.%d potential %d", van, e.potential), func(t *testing.T) {
					rec := mustCreate(t, g, euccRecord(van))
					mustApply(t, g, rec.ID, Change{Kind: ChangeAnalyse, Confirmed: &confirmed}, t0)
					mustApply(t, g, rec.ID, Change{Kind: ChangeEUCC, AttackPotential: ptr(e.potential)}, t0.Add(time.Hour))
					got, err := g.Get(t.Context(), rec.ID, now)
					if err != nil {
						t.Fatal(err)
					}
					engineAgrees(t, got, now)
					ia := item(t, got, KindImpactAnalysis)
					var wantKind rules.DeadlineKind
					var want *calendar.Date
					switch table[van][e.band] {
					case "60":
						wantKind, want = rules.DeadlineFixed, dayp("2026-03-11")
					case "90":
						wantKind, want = rules.DeadlineFixed, dayp("2026-04-10")
					case "ma":
						wantKind, want = rules.DeadlineMutualAgreement, dayp("2026-04-10") // 90 days: none recorded
					case "holder":
						wantKind = rules.DeadlineHolder
					}
					if got.Deadlines.EUCC.DeadlineKind != wantKind {
						t.Errorf("deadline kind %s, want %s", got.Deadlines.EUCC.DeadlineKind, wantKind)
					}
					switch {
					case want == nil && (ia.Date != nil || ia.State != StateNoDeadline):
						t.Errorf("impact analysis %v (%s), want no deadline", ia.Date, ia.State)
					case want != nil && (ia.Date == nil || *ia.Date != *want):
						t.Errorf("impact analysis deadline %v, want %s", ia.Date, want)
					}
				})
			}
		}
	})
}

// TestEUCCExtensions covers extensions granted, refused, unanswered (before and after 30 days),
// requested too late, and two in a row, against the engine and the expected dates.
func TestEUCCExtensions(t *testing.T) {
	type ext struct {
		requested string
		days      int
		answer    rules.ExtensionAnswer
		answered  string
	}
	tests := []struct {
		name      string
		exts      []ext
		now       string
		want      string // the impact-analysis deadline
		applied   int
		wantState string // the first extension_answer deadline's state
	}{
		{"none", nil, "2026-02-01T12:00:00Z", "2026-03-11", 0, ""},
		{"granted", []ext{{"2026-02-01", 60, rules.AnswerGranted, "2026-02-10"}}, "2026-02-15T12:00:00Z", "2026-05-10", 1, StateDone},
		{"refused", []ext{{"2026-02-01", 60, rules.AnswerRefused, "2026-02-10"}}, "2026-02-15T12:00:00Z", "2026-03-11", 0, StateDone},
		{"unanswered for 19 days", []ext{{"2026-02-01", 60, "", ""}}, "2026-02-20T12:00:00Z", "2026-03-11", 0, StateOpen},
		{"unanswered for 29 days", []ext{{"2026-02-01", 60, "", ""}}, "2026-03-02T23:00:00Z", "2026-03-11", 0, StateOpen},
		{"unanswered for 30 days is accepted", []ext{{"2026-02-01", 60, "", ""}}, "2026-03-03T00:00:00Z", "2026-05-10", 1, StateDeemedAccepted},
		{"exactly 30 days before", []ext{{"2026-02-09", 90, rules.AnswerGranted, "2026-02-12"}}, "2026-02-15T12:00:00Z", "2026-06-09", 1, StateDone},
		{"too late: 29 days before", []ext{{"2026-02-10", 60, rules.AnswerGranted, "2026-02-12"}}, "2026-02-15T12:00:00Z", "2026-03-11", 0, StateDone},
		{"two granted in a row", []ext{{"2026-02-01", 60, rules.AnswerGranted, "2026-02-10"}, {"2026-04-05", 90, rules.AnswerGranted, "2026-04-20"}},
			"2026-04-21T12:00:00Z", "2026-08-08", 2, StateDone},
		{"second too late after the first", []ext{{"2026-02-01", 60, rules.AnswerGranted, "2026-02-10"}, {"2026-04-20", 90, rules.AnswerGranted, "2026-04-25"}},
			"2026-04-26T12:00:00Z", "2026-05-10", 1, StateDone},
	}
	backends(t, func(t *testing.T, g *Register) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				rec := mustCreate(t, g, euccRecord(3))
				at := t0
				mustApply(t, g, rec.ID, Change{Kind: ChangeAnalyse, Confirmed: dayp("2026-01-10")}, at)
				mustApply(t, g, rec.ID, Change{Kind: ChangeEUCC, AttackPotential: ptr(5)}, at)
				for i, x := range tt.exts {
					mustApply(t, g, rec.ID, Change{Kind: ChangeExtensionRequest, Requested: dayp(x.requested), Days: x.days}, at)
					if x.answer != "" {
						mustApply(t, g, rec.ID, Change{Kind: ChangeExtensionAnswer, Extension: i + 1, Answer: x.answer, Answered: dayp(x.answered)}, at)
					}
				}
				now := instant(tt.now)
				got, err := g.Get(t.Context(), rec.ID, now)
				if err != nil {
					t.Fatal(err)
				}
				engineAgrees(t, got, now)
				if d := item(t, got, KindImpactAnalysis).Date; d == nil || d.String() != tt.want {
					t.Errorf("deadline %v, want %s", d, tt.want)
				}
				if got.Deadlines.EUCC.ExtensionsApplied != tt.applied {
					t.Errorf("extensions applied %d, want %d", got.Deadlines.EUCC.ExtensionsApplied, tt.applied)
				}
				if tt.wantState != "" {
					if s := item(t, got, KindExtensionAnswer).State; s != tt.wantState {
						t.Errorf("extension answer state %s, want %s", s, tt.wantState)
					}
				}
			})
		}
	})
}

func TestEUCCMutualAgreementAndExploitation(t *testing.T) {
	backends(t, func(t *testing.T, g *Register) {
		rec := mustCreate(t, g, euccRecord(3))
		mustApply(t, g, rec.ID, Change{Kind: ChangeEUCC, Confirmed: dayp("2026-01-10"), AttackPotential: ptr(15)}, t0)
		got := mustApply(t, g, rec.ID, Change{Kind: ChangeEUCC, MutualAgreementDays: ptr(120), ActivelyExploited: ptr(true), Note: "agreed with the CB by phone"}, t0)
		engineAgrees(t, got, t0)
		ia := item(t, got, KindImpactAnalysis)
		if ia.Date == nil || ia.Date.String() != "2026-05-10" || !ia.Urgent {
			t.Errorf("impact analysis %+v, want 2026-05-10 and urgent", ia)
		}
		if got.Status != StatusConfirmed || got.EUCC.MutualAgreement == nil || got.EUCC.MutualAgreement.Who != "alice" {
			t.Errorf("status %s, agreement %+v: want confirmed and the agreement recorded with who", got.Status, got.EUCC.MutualAgreement)
		}
	})
}

// TestDeadlinesStoredWithEveryChange checks that each change's event keeps the engine's answer
// at that moment, and that it moves when the facts move.
func TestDeadlinesStoredWithEveryChange(t *testing.T) {
	backends(t, func(t *testing.T, g *Register) {
		rec := mustCreate(t, g, euccRecord(3))
		mustApply(t, g, rec.ID, Change{Kind: ChangeAnalyse, Confirmed: dayp("2026-01-10")}, t0)
		at1 := t0.Add(time.Hour)
		after1 := mustApply(t, g, rec.ID, Change{Kind: ChangeEUCC, AttackPotential: ptr(5)}, at1)
		at2 := t0.Add(2 * time.Hour)
		mustApply(t, g, rec.ID, Change{Kind: ChangeEUCC, AttackPotential: ptr(11)}, at2)
		evs, err := g.st.ListEvents(t.Context(), rec.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 4 {
			t.Fatalf("%d events, want 4", len(evs))
		}
		want := []string{"", "", "2026-03-11", "2026-04-10"}
		for i, e := range evs {
			snap := snapshot(t, e.Payload)
			var got string
			if snap.EUCC != nil && snap.EUCC.Deadline != nil {
				got = snap.EUCC.Deadline.String()
			}
			if got != want[i] {
				t.Errorf("event %d (%s): stored deadline %q, want %q", e.Seq, e.Kind, got, want[i])
			}
		}
		engineAgrees(t, after1, at1)
	})
}
