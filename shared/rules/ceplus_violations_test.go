package rules

import (
	"strings"
	"testing"

	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/google/go-cmp/cmp"
)

func TestCEPlusViolations(t *testing.T) {
	s1 := concat([]Event{drawn("2026-05-01T08:05:00Z", 1, sample1...)}, s1Tested("2026-05-05T10:00:00Z", "w2", openssl), s1Tested("2026-05-20T10:00:00Z", ""))
	s2At := func(drawAt, declAt, testAt string) []Event {
		return concat(s1, []Event{drawn(drawAt, 2, sample2...), declared(declAt, sample2...)}, s2Tested(testAt, ""))
	}
	// s1Late fails on 2026-05-30: the window runs to 2026-06-29.
	s1Late := concat([]Event{drawn("2026-05-01T08:05:00Z", 1, sample1...)}, s1Tested("2026-05-30T10:00:00Z", "w2", openssl), s1Tested("2026-05-30T12:00:00Z", ""))
	s2Late := func(drawAt, declAt, testAt string) []Event {
		return concat(s1Late, []Event{drawn(drawAt, 2, sample2...), declared(declAt, sample2...)}, s2Tested(testAt, ""))
	}
	noHolidays := calendar.New(nil, nil)
	tests := []struct {
		name     string
		now      string
		devices  []Device
		cal      *calendar.Calendar
		testAll  []string
		events   []Event
		want     []string // violation rules, in order
		inDetail string   // must appear in the first violation's detail
	}{
		{name: "clean history", now: "2026-05-27T00:00:00Z", events: s2At("2026-05-21T09:00:00Z", "2026-05-22T09:00:00Z", "2026-05-26T10:00:00Z")},
		{name: "Sample 2 drawn before every Sample 1 device was tested", now: "2026-05-27T00:00:00Z",
			events:   concat([]Event{drawn("2026-05-01T08:05:00Z", 1, sample1...), tested("2026-05-05T10:00:00Z", 1, "w2", openssl), drawn("2026-05-06T09:00:00Z", 2, sample2...)}, s1Tested("2026-05-07T10:00:00Z", "")),
			want:     []string{RuleSample2DrawnEarly},
			inDetail: "w1, w3, m1, m2"},
		{name: "Sample 2 drawn before Sample 1 was drawn", now: "2026-05-27T00:00:00Z",
			events: []Event{drawn("2026-05-06T09:00:00Z", 2, sample2...)},
			want:   []string{RuleSample2DrawnEarly}, inDetail: "before Sample 1 was drawn"},
		{name: "Sample 2 tested with no declaration", now: "2026-05-27T00:00:00Z",
			events: concat(s1, []Event{drawn("2026-05-21T09:00:00Z", 2, sample2...)}, s2Tested("2026-05-26T10:00:00Z", "")),
			want:   []string{RuleSample2NotDeclared}, inDetail: "w4, w5, w6, m1, m2"},
		{name: "declaration after the test", now: "2026-05-27T00:00:00Z",
			events: concat(s1, []Event{drawn("2026-05-21T09:00:00Z", 2, sample2...), declared("2026-05-26T11:00:00Z", sample2...)}, s2Tested("2026-05-26T10:00:00Z", "")),
			want:   []string{RuleSample2NotDeclared}},
		{name: "declaration naming only some devices", now: "2026-05-27T00:00:00Z",
			events: concat(s1, []Event{drawn("2026-05-21T09:00:00Z", 2, sample2...), declared("2026-05-25T09:00:00Z", "w4", "w5", "w6")}, s2Tested("2026-05-26T10:00:00Z", "")),
			want:   []string{RuleSample2NotDeclared}, inDetail: "m1, m2"},
		{name: "exactly 72 hours is not too early", now: "2026-06-04T00:00:00Z",
			events: s2Late("2026-05-31T09:00:00Z", "2026-06-01T08:00:00Z", "2026-06-04T08:00:00Z")},
		{name: "more than 72 hours but 3 working days (Mon to Thu) is not too early", now: "2026-06-05T00:00:00Z",
			events: s2Late("2026-05-31T09:00:00Z", "2026-06-01T08:00:00Z", "2026-06-04T10:00:00Z")},
		{name: "more than 72 hours and 4 working days (Mon to Fri) is too early", now: "2026-06-06T00:00:00Z",
			events: s2Late("2026-05-31T09:00:00Z", "2026-06-01T08:00:00Z", "2026-06-05T07:59:00Z"),
			want:   []string{RuleSample2DeclaredEarly}, inDetail: "4 working days"},
		{name: "a weekend: Friday to Wednesday is 3 working days", now: "2026-06-11T00:00:00Z",
			events: s2Late("2026-06-04T09:00:00Z", "2026-06-05T09:00:00Z", "2026-06-10T10:00:00Z")},
		{name: "the Spring bank holiday: Friday to Thursday is 3 working days", now: "2026-05-29T00:00:00Z",
			events: s2At("2026-05-21T09:00:00Z", "2026-05-22T09:00:00Z", "2026-05-28T10:00:00Z")},
		{name: "without the bank holiday Friday to Thursday is 4 working days", now: "2026-05-29T00:00:00Z", cal: noHolidays,
			events: s2At("2026-05-21T09:00:00Z", "2026-05-22T09:00:00Z", "2026-05-28T10:00:00Z"),
			want:   []string{RuleSample2DeclaredEarly}},
		{name: "the latest declaration before the first test counts", now: "2026-05-29T00:00:00Z",
			events: concat(s1, []Event{drawn("2026-05-21T09:00:00Z", 2, sample2...), declared("2026-05-21T10:00:00Z", sample2...), declared("2026-05-27T09:00:00Z", sample2...)}, s2Tested("2026-05-28T10:00:00Z", ""))},
		{name: "Sample 2 tested after the window's last day", now: "2026-06-10T00:00:00Z",
			events: s2At("2026-06-02T09:00:00Z", "2026-06-04T09:00:00Z", "2026-06-05T10:00:00Z"),
			want:   []string{RuleSample2OutsideWindow}, inDetail: "2026-06-04"},
		{name: "Sample 2 tested at 23:30 local on the last day is inside", now: "2026-06-10T00:00:00Z",
			events: s2At("2026-06-02T09:00:00Z", "2026-06-04T09:00:00Z", "2026-06-04T22:30:00Z")},
		{name: "Sample 1 too small", now: "2026-05-06T00:00:00Z",
			events: []Event{drawn("2026-05-01T08:05:00Z", 1, "w1", "w2", "m1", "m2")},
			want:   []string{RuleSampleSizeTooSmall}, inDetail: `Sample 1 has 2 devices of build "Windows 11 Pro 24H2", 3 required`},
		{name: "Sample 2 must re-scan a build fully covered by Sample 1", now: "2026-05-27T00:00:00Z",
			events: concat(s1, []Event{drawn("2026-05-21T09:00:00Z", 2, "w4", "w5", "w6", "m1"), declared("2026-05-22T09:00:00Z", "w4", "w5", "w6", "m1")}),
			want:   []string{RuleSampleSizeTooSmall}, inDetail: `Sample 2 has 1 devices of build "macOS 14", 2 required`},
		{name: "small pool: Sample 2 is every remaining device", now: "2026-05-27T00:00:00Z",
			devices: []Device{{ID: "a", Type: "laptop", Build: "B"}, {ID: "b", Type: "laptop", Build: "B"}, {ID: "c", Type: "laptop", Build: "B"}},
			events:  []Event{drawn("2026-05-01T08:05:00Z", 1, "a", "b"), tested("2026-05-05T10:00:00Z", 1, "a"), tested("2026-05-05T10:00:00Z", 1, "b"), drawn("2026-05-06T09:00:00Z", 2, "c")}},
		{name: "small pool: Sample 2 missing the remaining device", now: "2026-05-27T00:00:00Z",
			devices: []Device{{ID: "a", Type: "laptop", Build: "B"}, {ID: "b", Type: "laptop", Build: "B"}, {ID: "c", Type: "laptop", Build: "B"}},
			events:  []Event{drawn("2026-05-01T08:05:00Z", 1, "a", "b"), tested("2026-05-05T10:00:00Z", 1, "a"), tested("2026-05-05T10:00:00Z", 1, "b"), drawn("2026-05-06T09:00:00Z", 2, "a")},
			want:    []string{RuleSampleSizeTooSmall}, inDetail: `Sample 2 has 0 devices of build "B" not in Sample 1, 1 required`},
		{name: "Sample 2 re-drawing Sample 1 devices while others remain", now: "2026-05-27T00:00:00Z",
			events: concat(s1, []Event{drawn("2026-05-21T09:00:00Z", 2, "w1", "w4", "w5", "m1", "m2")}),
			want:   []string{RuleSampleSizeTooSmall}, inDetail: "2 devices of build \"Windows 11 Pro 24H2\" not in Sample 1, 3 required"},
		{name: "servers tested in full must all be in both samples", now: "2026-05-27T00:00:00Z",
			devices: []Device{{ID: "s1", Type: "server", Build: "S"}, {ID: "s2", Type: "server", Build: "S"}, {ID: "s3", Type: "server", Build: "S"}},
			testAll: []string{"server"},
			events:  []Event{drawn("2026-05-01T08:05:00Z", 1, "s1", "s2", "s3"), tested("2026-05-05T10:00:00Z", 1, "s1"), drawn("2026-05-06T09:00:00Z", 2, "s1", "s2")},
			want:    []string{RuleSample2DrawnEarly, RuleSampleSizeTooSmall}, inDetail: "s2, s3"},
		{name: "every violation at once, each once", now: "2026-06-10T00:00:00Z",
			events: concat([]Event{drawn("2026-05-01T08:05:00Z", 1, "w1", "w2", "m1", "m2"), tested("2026-05-05T10:00:00Z", 1, "w2", openssl),
				drawn("2026-05-06T09:00:00Z", 2, "w4", "m1"), declared("2026-05-07T09:00:00Z", "w4")},
				[]Event{tested("2026-05-26T10:00:00Z", 2, "w4"), tested("2026-06-05T10:00:00Z", 2, "m1"), tested("2026-06-06T10:00:00Z", 2, "m1")}),
			want: []string{RuleSample2DrawnEarly, RuleSample2NotDeclared, RuleSample2DeclaredEarly, RuleSample2OutsideWindow, RuleSampleSizeTooSmall}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			devs := tt.devices
			if devs == nil {
				devs = estate()
			}
			v := EvaluateCEPlus(CEPlusCase{Now: ts(tt.now), Calendar: tt.cal, TestAllTypes: tt.testAll, Devices: devs, Events: tt.events})
			var got []string
			for _, x := range v.Violations {
				got = append(got, x.Rule)
				if x.Detail == "" {
					t.Errorf("%s has no detail", x.Rule)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("violations (-want +got):\n%s\n%+v", diff, v.Violations)
			}
			if tt.inDetail != "" && (len(v.Violations) == 0 || !strings.Contains(v.Violations[0].Detail, tt.inDetail)) {
				t.Errorf("first violation %+v should mention %q", v.Violations, tt.inDetail)
			}
		})
	}
}
