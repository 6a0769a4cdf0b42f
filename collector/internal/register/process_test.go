package register

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/rules"
	"github.com/google/go-cmp/cmp"
)

func TestDuplicateMergesIntoOriginal(t *testing.T) {
	backends(t, func(t *testing.T, g *Register) {
		orig := mustCreate(t, g, euccRecord(4))
		n := euccRecord(4)
		n.Source, n.VulnIDs, n.ExploitationDetails = "CB notice 2026-7", []string{"CVE-2026-1111", "GHSA-xxxx"}, "ClientHello again"
		dup := mustCreate(t, g, n)
		at := t0.Add(time.Hour)
		got := mustApply(t, g, dup.ID, Change{Kind: ChangeExit, Who: "bob", Reason: ExitDuplicate, DuplicateOf: orig.ID, Note: "same report"}, at)
		if got.Status != StatusExited || got.Exit.DuplicateOf != orig.ID || got.Closed == nil || got.Exit.Who != "bob" || !got.Exit.At.Equal(at) {
			t.Errorf("duplicate after exit: %+v %+v", got.Status, got.Exit)
		}
		o, err := g.Get(t.Context(), orig.ID, at)
		if err != nil {
			t.Fatal(err)
		}
		want := []Reference{{RecordID: dup.ID, Source: "CB notice 2026-7", Summary: n.Summary, Received: n.Received,
			VulnIDs: n.VulnIDs, ExploitationDetails: "ClientHello again", Step: Step{Who: "bob", At: at, Note: "same report"}}}
		if diff := cmp.Diff(want, o.References); diff != "" {
			t.Errorf("original's references (-want +got):\n%s", diff)
		}
		if !o.Open() || o.Status != StatusReceived {
			t.Errorf("the original must stay open: %s", o.Status)
		}
		third := mustCreate(t, g, euccRecord(4))
		tests := []struct {
			name string
			c    Change
		}{
			{"of a duplicate", Change{Kind: ChangeExit, Who: "bob", Reason: ExitDuplicate, DuplicateOf: dup.ID}},
			{"of an unknown record", Change{Kind: ChangeExit, Who: "bob", Reason: ExitDuplicate, DuplicateOf: "vr-nope"}},
			{"of itself", Change{Kind: ChangeExit, Who: "bob", Reason: ExitDuplicate, DuplicateOf: third.ID}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if _, err := g.Apply(t.Context(), third.ID, tt.c, at); err == nil {
					t.Fatal("accepted")
				} else {
					t.Logf("refused: %v", err)
				}
				if r, err := g.Get(t.Context(), third.ID, at); err != nil || !r.Open() {
					t.Errorf("record changed by a refused exit: %v %v", r.Status, err)
				}
			})
		}
	})
}

func TestProcessRules(t *testing.T) {
	backends(t, func(t *testing.T, g *Register) {
		eu := mustCreate(t, g, euccRecord(2))
		io := mustCreate(t, g, eiotRecord())
		n := instant("2026-01-09T10:00:00Z")
		tests := []struct {
			name string
			id   string
			c    Change
			ok   bool
		}{
			{"no who", eu.ID, Change{Kind: ChangeAnalyse, Who: " ", Confirmed: dayp("2026-01-10")}, false},
			{"report before confirmation", eu.ID, Change{Kind: ChangeReport, Who: "a"}, false},
			{"close without report", eu.ID, Change{Kind: ChangeClose, Who: "a"}, false},
			{"e-IoT change on EUCC", eu.ID, Change{Kind: ChangeTriage, Who: "a", Triage: rules.TriageRed, Notified: &n}, false},
			{"EUCC change on e-IoT", io.ID, Change{Kind: ChangeEUCC, Who: "a", AttackPotential: ptr(3)}, false},
			{"beyond_assurance_level on e-IoT", io.ID, Change{Kind: ChangeExit, Who: "a", Reason: ExitBeyondAssuranceLevel}, false},
			{"decline before a notice", io.ID, Change{Kind: ChangeDeclineFix, Who: "a"}, false},
			{"unknown kind", eu.ID, Change{Kind: "approve", Who: "a"}, false},
			{"reference by hand", eu.ID, Change{Kind: ChangeReference, Who: "a", Reference: &Reference{RecordID: "x"}}, false},
			{"answer an unknown extension", eu.ID, Change{Kind: ChangeExtensionAnswer, Who: "a", Extension: 1, Answer: rules.AnswerGranted, Answered: dayp("2026-02-01")}, false},
			{"bad TLP", eu.ID, Change{Kind: ChangeUpdate, Who: "a", TLP: "PURPLE"}, false},
			{"confirm", eu.ID, Change{Kind: ChangeAnalyse, Who: "a", Confirmed: dayp("2026-01-10")}, true},
			{"confirm twice", eu.ID, Change{Kind: ChangeAnalyse, Who: "a", Confirmed: dayp("2026-01-11")}, false},
			{"report", eu.ID, Change{Kind: ChangeReport, Who: "a"}, true},
			{"exit after the report", eu.ID, Change{Kind: ChangeExit, Who: "a", Reason: ExitNoSecurity}, false},
			{"close", eu.ID, Change{Kind: ChangeClose, Who: "a"}, true},
			{"change after closure", eu.ID, Change{Kind: ChangeEUCC, Who: "a", AttackPotential: ptr(3)}, false},
			{"relabel after closure", eu.ID, Change{Kind: ChangeUpdate, Who: "a", TLP: "tlp:green"}, true},
			{"e-IoT no_security", io.ID, Change{Kind: ChangeExit, Who: "a", Reason: ExitNoSecurity}, true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := g.Apply(t.Context(), tt.id, tt.c, t0.Add(time.Hour))
				if (err == nil) != tt.ok {
					t.Errorf("Apply = %v, want ok=%t", err, tt.ok)
				}
				var ce *ChangeError
				if err != nil && !errors.As(err, &ce) {
					t.Logf("not a ChangeError: %v", err)
				}
			})
		}
		got, err := g.Get(t.Context(), eu.ID, t0.Add(2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != StatusClosed || got.TLP != TLPGreen || len(got.History) != 5 || len(got.Ignored) != 0 {
			t.Errorf("EUCC record: status %s, TLP %s, %d history entries, ignored %v; want closed, GREEN, 5, none", got.Status, got.TLP, len(got.History), got.Ignored)
		}
		if got.Report == nil || got.Closed == nil {
			t.Errorf("report %+v, closed %+v: want both recorded", got.Report, got.Closed)
		}
	})
}

func TestCreateValidation(t *testing.T) {
	backends(t, func(t *testing.T, g *Register) {
		tests := []struct {
			name  string
			edit  func(*NewRecord)
			field string
		}{
			{"EUCC without AVA_VAN", func(n *NewRecord) { n.AVAVAN = 0 }, "ava_van"},
			{"AVA_VAN.6", func(n *NewRecord) { n.AVAVAN = 6 }, "ava_van"},
			{"no product", func(n *NewRecord) { n.Product = "" }, "product"},
			{"no certificate", func(n *NewRecord) { n.CertificateID = "" }, "certificate_id"},
			{"unknown scheme", func(n *NewRecord) { n.Scheme = "cc" }, "scheme"},
			{"bad zone", func(n *NewRecord) { n.TimeZone = "Mars/Olympus" }, "timezone"},
			{"no received", func(n *NewRecord) { n.Received = time.Time{} }, "received"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				n := euccRecord(3)
				tt.edit(&n)
				_, err := g.Create(t.Context(), n, "alice", t0)
				if err == nil || !strings.Contains(err.Error(), tt.field) {
					t.Errorf("Create = %v, want an error naming %s", err, tt.field)
				}
			})
		}
		n := euccRecord(3)
		n.ID = "vr-fixed"
		mustCreate(t, g, n)
		if _, err := g.Create(t.Context(), n, "alice", t0); err == nil {
			t.Error("a second record with the same id was created")
		}
	})
}
