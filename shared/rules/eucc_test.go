package rules

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// euccTable is RULES.md §2's table written out: per band (rows) and AVA_VAN 1–5 (columns),
// "60"/"90" for a fixed deadline, "MA" mutual agreement, "H" holder decides.
var euccTable = map[string][5]string{
	"Basic":          {"60", "60", "60", "60", "60"},
	"Enhanced-Basic": {"MA", "MA", "90", "90", "90"},
	"Moderate":       {"H", "H", "MA", "90", "90"},
	"High":           {"H", "H", "H", "MA", "90"},
	"Beyond High":    {"H", "H", "H", "H", "H"},
}

func TestEUCCBandEdgesEveryLevel(t *testing.T) {
	edges := []struct {
		potential          int
		attacker, severity string
	}{
		{0, "Basic", "Critical"}, {9, "Basic", "Critical"},
		{10, "Enhanced-Basic", "High"}, {13, "Enhanced-Basic", "High"},
		{14, "Moderate", "Medium"}, {19, "Moderate", "Medium"},
		{20, "High", "Low"}, {24, "High", "Low"},
		{25, "Beyond High", "N.A."}, {40, "Beyond High", "N.A."},
	}
	for _, e := range edges {
		for van := 1; van <= 5; van++ {
			t.Run(fmt.Sprintf("potential %d VAN.%d", e.potential, van), func(t *testing.T) {
				in := EUCCCase{Now: ts("2026-02-01T00:00:00Z"), AttackPotential: e.potential, AVAVAN: van, Confirmed: day("2026-01-10")}
				v := EvaluateEUCC(in)
				if v.Attacker != e.attacker || v.Severity != e.severity {
					t.Errorf("attacker/severity %s/%s, want %s/%s", v.Attacker, v.Severity, e.attacker, e.severity)
				}
				var wantKind DeadlineKind
				wantDeadline := ""
				switch cell := euccTable[e.attacker][van-1]; cell {
				case "60":
					wantKind, wantDeadline = DeadlineFixed, "2026-03-11"
				case "90":
					wantKind, wantDeadline = DeadlineFixed, "2026-04-10"
				case "MA":
					wantKind, wantDeadline = DeadlineMutualAgreement, "2026-04-10"
				case "H":
					wantKind = DeadlineHolder
				}
				gotDeadline := ""
				if v.Deadline != nil {
					gotDeadline = v.Deadline.String()
				}
				if v.DeadlineKind != wantKind || gotDeadline != wantDeadline {
					t.Errorf("deadline %s %q, want %s %q", v.DeadlineKind, gotDeadline, wantKind, wantDeadline)
				}
			})
		}
	}
}

func TestEUCCDeadlines(t *testing.T) {
	days := func(n int) *int { return &n }
	base := EUCCCase{Now: ts("2026-03-05T00:00:00Z"), AttackPotential: 12, AVAVAN: 3, Confirmed: day("2026-01-10")} // fixed, 90 days → 2026-04-10
	tests := []struct {
		name         string
		mod          func(c *EUCCCase)
		wantKind     DeadlineKind
		wantDeadline string
		wantApplied  int
		wantUrgent   bool
		wantCounted  []bool // per extension, in request order
	}{
		{name: "fixed 90 days", mod: func(c *EUCCCase) {}, wantKind: DeadlineFixed, wantDeadline: "2026-04-10"},
		{name: "mutual agreement recorded", mod: func(c *EUCCCase) { c.AVAVAN = 2; c.MutualAgreementDays = days(120) },
			wantKind: DeadlineMutualAgreement, wantDeadline: "2026-05-10"},
		{name: "mutual agreement not recorded: 90 days", mod: func(c *EUCCCase) { c.AVAVAN = 2 },
			wantKind: DeadlineMutualAgreement, wantDeadline: "2026-04-10"},
		{name: "mutual agreement days ignored for a fixed deadline", mod: func(c *EUCCCase) { c.MutualAgreementDays = days(10) },
			wantKind: DeadlineFixed, wantDeadline: "2026-04-10"},
		{name: "actively exploited is urgent", mod: func(c *EUCCCase) { c.ActivelyExploited = true },
			wantKind: DeadlineFixed, wantDeadline: "2026-04-10", wantUrgent: true},
		{name: "extension granted", mod: func(c *EUCCCase) {
			c.Extensions = []Extension{{Requested: day("2026-03-01"), Days: 60, Answer: AnswerGranted}}
		}, wantKind: DeadlineFixed, wantDeadline: "2026-06-09", wantApplied: 1, wantCounted: []bool{true}},
		{name: "extension refused", mod: func(c *EUCCCase) {
			c.Extensions = []Extension{{Requested: day("2026-03-01"), Days: 60, Answer: AnswerRefused}}
		}, wantKind: DeadlineFixed, wantDeadline: "2026-04-10", wantCounted: []bool{false}},
		{name: "extension unanswered for 30 days counts", mod: func(c *EUCCCase) {
			c.Now = ts("2026-03-31T08:00:00Z")
			c.Extensions = []Extension{{Requested: day("2026-03-01"), Days: 90}}
		}, wantKind: DeadlineFixed, wantDeadline: "2026-07-09", wantApplied: 1, wantCounted: []bool{true}},
		{name: "extension unanswered for 29 days is pending", mod: func(c *EUCCCase) {
			c.Now = ts("2026-03-30T20:00:00Z")
			c.Extensions = []Extension{{Requested: day("2026-03-01"), Days: 90}}
		}, wantKind: DeadlineFixed, wantDeadline: "2026-04-10", wantCounted: []bool{false}},
		{name: "extension requested exactly 30 days before counts", mod: func(c *EUCCCase) {
			c.Now = ts("2026-03-20T00:00:00Z")
			c.Extensions = []Extension{{Requested: day("2026-03-11"), Days: 60, Answer: AnswerGranted}}
		}, wantKind: DeadlineFixed, wantDeadline: "2026-06-09", wantApplied: 1, wantCounted: []bool{true}},
		{name: "extension requested 29 days before is too late", mod: func(c *EUCCCase) {
			c.Now = ts("2026-03-20T00:00:00Z")
			c.Extensions = []Extension{{Requested: day("2026-03-12"), Days: 60, Answer: AnswerGranted}}
		}, wantKind: DeadlineFixed, wantDeadline: "2026-04-10", wantCounted: []bool{false}},
		{name: "extensions judged in request order against the deadline then in force", mod: func(c *EUCCCase) {
			c.Now = ts("2026-06-01T00:00:00Z")
			c.Extensions = []Extension{
				{Requested: day("2026-05-01"), Days: 90, Answer: AnswerGranted}, // too late for 04-10, fine for 06-09
				{Requested: day("2026-03-01"), Days: 60, Answer: AnswerGranted},
			}
		}, wantKind: DeadlineFixed, wantDeadline: "2026-09-07", wantApplied: 2, wantCounted: []bool{true, true}},
		{name: "an extension requested after now is not yet made", mod: func(c *EUCCCase) {
			c.Extensions = []Extension{{Requested: day("2026-03-01"), Days: 60, Answer: AnswerGranted}}
			c.Now = ts("2026-02-15T00:00:00Z")
		}, wantKind: DeadlineFixed, wantDeadline: "2026-04-10", wantCounted: []bool{false}},
		{name: "a mutual agreement is not extended", mod: func(c *EUCCCase) {
			c.AVAVAN = 2
			c.Extensions = []Extension{{Requested: day("2026-03-01"), Days: 60, Answer: AnswerGranted}}
		}, wantKind: DeadlineMutualAgreement, wantDeadline: "2026-04-10", wantCounted: []bool{false}},
		{name: "holder decides: no deadline to extend", mod: func(c *EUCCCase) {
			c.AttackPotential = 30
			c.Extensions = []Extension{{Requested: day("2026-03-01"), Days: 60, Answer: AnswerGranted}}
		}, wantKind: DeadlineHolder, wantCounted: []bool{false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base
			tt.mod(&in)
			v := EvaluateEUCC(in)
			got := ""
			if v.Deadline != nil {
				got = v.Deadline.String()
			}
			if v.DeadlineKind != tt.wantKind || got != tt.wantDeadline || v.ExtensionsApplied != tt.wantApplied || v.Urgent != tt.wantUrgent {
				t.Errorf("got %s %q applied %d urgent %v, want %s %q applied %d urgent %v\n%+v",
					v.DeadlineKind, got, v.ExtensionsApplied, v.Urgent, tt.wantKind, tt.wantDeadline, tt.wantApplied, tt.wantUrgent, v.Extensions)
			}
			var counted []bool
			for _, e := range v.Extensions {
				counted = append(counted, e.Counted)
				if e.Reason == "" {
					t.Errorf("extension %v has no reason", e.Requested)
				}
			}
			if diff := cmp.Diff(tt.wantCounted, counted); diff != "" {
				t.Errorf("extensions counted (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEUCCOverdue(t *testing.T) {
	in := EUCCCase{Now: ts("2026-04-10T22:30:00Z"), AttackPotential: 12, AVAVAN: 3, Confirmed: day("2026-01-10")}
	v := EvaluateEUCC(in) // 23:30 in London on 2026-04-10: the last day
	if v.Overdue || v.DaysLeft == nil || *v.DaysLeft != 0 {
		t.Errorf("on the deadline day: overdue %v, days left %v", v.Overdue, v.DaysLeft)
	}
	in.Now = ts("2026-04-10T23:30:00Z") // 00:30 on 2026-04-11 in London
	if v := EvaluateEUCC(in); !v.Overdue || *v.DaysLeft != -1 {
		t.Errorf("the day after: overdue %v, days left %d", v.Overdue, *v.DaysLeft)
	}
}
