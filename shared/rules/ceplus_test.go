package rules

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCEPlusOutcomes(t *testing.T) {
	s1Drawn := []Event{{At: ts("2026-05-01T08:00:00Z"), Kind: EventScopeFrozen}, drawn("2026-05-01T08:05:00Z", 1, sample1...)}
	failed := concat(s1Drawn, s1Tested("2026-05-05T10:00:00Z", "w2", openssl))
	unrelated := vuln("2026-03-01", "curl", "8.9.1", "CVE-2026-2222")
	tests := []struct {
		name         string
		now          string
		events       []Event
		want         Outcome
		wantRule     string
		wantCert     string
		wantDeadline string // "" for null
		wantRepeated []string
	}{
		{name: "nothing drawn", now: "2026-05-06T00:00:00Z", events: nil, want: OutcomeInProgress, wantRule: "sample1_not_drawn"},
		{name: "Sample 1 partly tested, no failure", now: "2026-05-06T00:00:00Z",
			events: concat(s1Drawn, []Event{tested("2026-05-05T10:00:00Z", 1, "w1")}), want: OutcomeInProgress, wantRule: "sample1_testing"},
		{name: "Sample 1 all pass", now: "2026-05-06T00:00:00Z",
			events: concat(s1Drawn, s1Tested("2026-05-05T10:00:00Z", "")), want: OutcomePass, wantRule: "sample1_pass"},
		{name: "Sample 1 within-grace and low findings still pass", now: "2026-05-06T00:00:00Z",
			events: concat(s1Drawn, s1Tested("2026-05-05T10:00:00Z", "w1",
				vuln("2026-04-25", "p", "2", "CVE-2026-0003"), Finding{IDs: []string{"CVE-2026-0004"}, Severity: vendor("medium"), FixReleased: dayPtr("2026-01-01")})),
			want: OutcomePass, wantRule: "sample1_pass"},
		{name: "Sample 1 failure opens the window", now: "2026-05-06T00:00:00Z", events: failed,
			want: OutcomeRemediation, wantRule: "window_open", wantDeadline: "2026-06-04"},
		{name: "a failing test after now is ignored", now: "2026-05-05T09:59:59Z",
			events: concat(s1Drawn, s1Tested("2026-05-04T10:00:00Z", ""), []Event{tested("2026-05-05T10:00:00Z", 1, "w1", openssl)}),
			want:   OutcomePass, wantRule: "sample1_pass"},
		{name: "unsupported software fails the device", now: "2026-05-06T00:00:00Z",
			events: concat(s1Drawn, s1Tested("2026-05-05T10:00:00Z", "m1", Finding{IDs: []string{"EOL-macos-12"}, Unsupported: true})),
			want:   OutcomeRemediation, wantRule: "window_open", wantDeadline: "2026-06-04"},
		{name: "refused", now: "2026-05-27T00:00:00Z", events: concat(failed, []Event{refused("2026-05-21T09:00:00Z")}),
			want: OutcomeNotAchieved, wantRule: "sample2_refused", wantDeadline: "2026-06-04"},
		{name: "refused after the window, Sample 1 never remediated", now: "2026-07-01T00:00:00Z", events: concat(failed, []Event{refused("2026-06-10T09:00:00Z")}),
			want: OutcomeNotAchieved, wantRule: "sample2_refused", wantDeadline: "2026-06-04"},
		{name: "repeat by shared alias", now: "2026-05-27T00:00:00Z",
			events: concat(failedThenFixed(), s2Tested("2026-05-26T10:00:00Z", "w5", vuln("2026-04-01", "libssl3", "3.0.20", "DSA-6100-1"))),
			want:   OutcomeFail, wantRule: "sample2_repeat", wantCert: CertificateRevoked, wantDeadline: "2026-06-04",
			wantRepeated: []string{"CVE-2026-1111", "DSA-6100-1"}},
		{name: "repeat by the same missing update (package and fixed version)", now: "2026-05-27T00:00:00Z",
			events: concat(failedThenFixed(), s2Tested("2026-05-26T10:00:00Z", "m1", vuln("2026-04-01", "openssl", "3.0.19-1~deb12u3", "CVE-2026-9999"))),
			want:   OutcomeFail, wantRule: "sample2_repeat", wantCert: CertificateRevoked, wantDeadline: "2026-06-04",
			wantRepeated: []string{"CVE-2026-1111", "DSA-6100-1"}},
		{name: "a repeat stays even if the Sample 2 device is retested clean", now: "2026-05-29T00:00:00Z",
			events: concat(failedThenFixed(), s2Tested("2026-05-26T10:00:00Z", "w5", openssl), []Event{tested("2026-05-28T10:00:00Z", 2, "w5")}),
			want:   OutcomeFail, wantRule: "sample2_repeat", wantCert: CertificateRevoked, wantDeadline: "2026-06-04", wantRepeated: []string{"CVE-2026-1111", "DSA-6100-1"}},
		{name: "refusal after a repeat was found does not undo the fail", now: "2026-05-29T00:00:00Z",
			events: concat(failedThenFixed(), s2Tested("2026-05-26T10:00:00Z", "w5", openssl), []Event{refused("2026-05-27T09:00:00Z")}),
			want:   OutcomeFail, wantRule: "sample2_repeat", wantCert: CertificateRevoked, wantDeadline: "2026-06-04", wantRepeated: []string{"CVE-2026-1111", "DSA-6100-1"}},
		{name: "refusal before the repeat test wins", now: "2026-05-29T00:00:00Z",
			events: concat(failedThenFixed(), []Event{refused("2026-05-25T09:00:00Z")}, s2Tested("2026-05-26T10:00:00Z", "w5", openssl)),
			want:   OutcomeNotAchieved, wantRule: "sample2_refused", wantDeadline: "2026-06-04", wantRepeated: []string{"CVE-2026-1111", "DSA-6100-1"}},
		{name: "Sample 2 all pass", now: "2026-05-27T00:00:00Z", events: concat(failedThenFixed(), s2Tested("2026-05-26T10:00:00Z", "")),
			want: OutcomePass, wantRule: "sample2_pass", wantDeadline: "2026-06-04"},
		{name: "Sample 2 low-severity finding still passes", now: "2026-05-27T00:00:00Z",
			events: concat(failedThenFixed(), s2Tested("2026-05-26T10:00:00Z", "w4", Finding{IDs: []string{"CVE-2026-1111"}, Severity: cvss(5.0), FixReleased: dayPtr("2026-04-01")})),
			want:   OutcomePass, wantRule: "sample2_pass", wantDeadline: "2026-06-04"},
		{name: "Sample 2 unrelated failure: pass with advisory", now: "2026-05-27T00:00:00Z",
			events: concat(failedThenFixed(), s2Tested("2026-05-26T10:00:00Z", "w6", unrelated)),
			want:   OutcomePassWithAdvisory, wantRule: "sample2_advisory", wantDeadline: "2026-06-04"},
		{name: "Sample 2 tested but Sample 1 not yet remediated: window still open", now: "2026-05-27T00:00:00Z",
			events: concat(failed, []Event{drawn("2026-05-21T09:00:00Z", 2, sample2...), declared("2026-05-22T09:00:00Z", sample2...)}, s2Tested("2026-05-26T10:00:00Z", "")),
			want:   OutcomeRemediation, wantRule: "window_open", wantDeadline: "2026-06-04"},
		{name: "window expired with Sample 1 not remediated", now: "2026-06-05T00:00:00Z",
			events: concat(failed, s1Tested("2026-05-20T10:00:00Z", "w2", openssl)),
			want:   OutcomeFail, wantRule: "window_expired", wantCert: CertificateRevoked, wantDeadline: "2026-06-04"},
		{name: "last day of the window, 23:59 local: still open", now: "2026-06-04T22:59:00Z", events: failed,
			want: OutcomeRemediation, wantRule: "window_open", wantDeadline: "2026-06-04"},
		{name: "first instant of the next local day: window closed", now: "2026-06-04T23:00:00Z", events: failed,
			want: OutcomeFail, wantRule: "window_expired", wantCert: CertificateRevoked, wantDeadline: "2026-06-04"},
		{name: "retest on the last day at 23:30 local counts", now: "2026-06-10T00:00:00Z",
			events: concat(failed, s1Tested("2026-06-04T22:30:00Z", "")),
			want:   OutcomeNeedsDecision, wantRule: "undecided", wantDeadline: "2026-06-04"},
		{name: "retest at 00:30 local the next day is too late", now: "2026-06-10T00:00:00Z",
			events: concat(failed, s1Tested("2026-06-04T23:30:00Z", "")),
			want:   OutcomeFail, wantRule: "window_expired", wantCert: CertificateRevoked, wantDeadline: "2026-06-04"},
		{name: "a Sample 1 device never tested is not remediated", now: "2026-06-10T00:00:00Z",
			events: concat(s1Drawn, []Event{tested("2026-05-05T10:00:00Z", 1, "w1", openssl), tested("2026-05-20T10:00:00Z", 1, "w1")}),
			want:   OutcomeFail, wantRule: "window_expired", wantCert: CertificateRevoked, wantDeadline: "2026-06-04"},
		{name: "window ended, Sample 1 remediated, Sample 2 never drawn", now: "2026-06-05T00:00:00Z",
			events: concat(failed, s1Tested("2026-05-20T10:00:00Z", "")),
			want:   OutcomeNeedsDecision, wantRule: "undecided", wantDeadline: "2026-06-04"},
		{name: "window ended with a Sample 2 device untested in it", now: "2026-06-08T00:00:00Z",
			events: concat(failedThenFixed(), s2Tested("2026-05-26T10:00:00Z", "")[:4], []Event{tested("2026-06-05T10:00:00Z", 2, "m2")}),
			want:   OutcomeNeedsDecision, wantRule: "undecided", wantDeadline: "2026-06-04"},
		{name: "a repeat found only after the window needs a decision", now: "2026-06-08T00:00:00Z",
			events: concat(failedThenFixed(), s2Tested("2026-06-05T10:00:00Z", "w5", openssl)),
			want:   OutcomeNeedsDecision, wantRule: "undecided", wantDeadline: "2026-06-04"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := EvaluateCEPlus(CEPlusCase{Now: ts(tt.now), Devices: estate(), Events: tt.events})
			if v.Outcome != tt.want || v.Rule != tt.wantRule {
				t.Errorf("outcome %s (rule %s), want %s (rule %s); reasons: %v", v.Outcome, v.Rule, tt.want, tt.wantRule, v.Reasons)
			}
			wantCert := tt.wantCert
			if wantCert == "" {
				wantCert = CertificateValid
			}
			if v.CECertificate != wantCert {
				t.Errorf("ce_certificate %s, want %s", v.CECertificate, wantCert)
			}
			gotDeadline := ""
			if v.RemediationDeadline != nil {
				gotDeadline = v.RemediationDeadline.String()
			}
			if gotDeadline != tt.wantDeadline {
				t.Errorf("remediation_deadline %q, want %q", gotDeadline, tt.wantDeadline)
			}
			if tt.wantRepeated == nil {
				tt.wantRepeated = []string{}
			}
			if tt.want != OutcomeNotAchieved { // a refusal decides before repeats are reported
				if diff := cmp.Diff(tt.wantRepeated, v.Repeated); diff != "" {
					t.Errorf("repeated (-want +got):\n%s", diff)
				}
			}
			askQuestions := v.Outcome == OutcomeNeedsDecision || v.Outcome == OutcomePassWithAdvisory
			if (len(v.Questions) > 0) != askQuestions {
				t.Errorf("questions %q for outcome %s", v.Questions, v.Outcome)
			}
			if len(v.Reasons) == 0 {
				t.Error("no reasons")
			}
		})
	}
}

func TestCEPlusDevices(t *testing.T) {
	ev := concat(failedThenFixed(), s2Tested("2026-05-26T10:00:00Z", "w6",
		vuln("2026-03-01", "curl", "8.9.1", "CVE-2026-2222"),
		Finding{IDs: []string{"CVE-2026-3333"}, Severity: cvss(9.1)},
		vuln("2026-05-20", "zlib", "1.3.2", "CVE-2026-4444")))
	ev = ev[:len(ev)-1] // m2 is not tested in Sample 2
	v := EvaluateCEPlus(CEPlusCase{Now: ts("2026-05-27T00:00:00Z"), Devices: estate(), Events: ev})
	want := map[string]DeviceState{
		"w1": {Sample: 1, Status: StatusPass, Findings: []FindingState{}},
		"w2": {Sample: 1, Status: StatusPass, Findings: []FindingState{}},
		"w3": {Sample: 1, Status: StatusPass, Findings: []FindingState{}},
		"w4": {Sample: 2, Status: StatusPass, Findings: []FindingState{}},
		"w5": {Sample: 2, Status: StatusPass, Findings: []FindingState{}},
		"w6": {Sample: 2, Status: StatusFail, Findings: []FindingState{
			{IDs: []string{"CVE-2026-2222"}, Class: ClassFail},
			{IDs: []string{"CVE-2026-3333"}, Class: ClassNoFix},
			{IDs: []string{"CVE-2026-4444"}, Class: ClassWithinGrace},
		}},
	}
	if diff := cmp.Diff(want, v.Devices); diff != "" {
		t.Errorf("devices (-want +got):\n%s", diff)
	}
	// Devices in both samples (the Macs: total coverage) are in samples only.
	if got := v.Samples["2"]["m2"]; got.Status != StatusUntested || got.Tests != 0 {
		t.Errorf("samples[2][m2] = %+v, want untested", got)
	}
	if got := v.Samples["1"]["m1"]; got.Status != StatusPass || got.Tests != 2 {
		t.Errorf("samples[1][m1] = %+v, want pass after 2 tests", got)
	}
	if got := v.Samples["2"]["w6"].Findings[0]; got.DaysSinceFix == nil || *got.DaysSinceFix != 86 {
		t.Errorf("samples[2][w6] first finding %+v, want 86 days since the fix", got)
	}
	if v.Outcome != OutcomeRemediation || !v.WindowOpen || !v.Sample1Remediated {
		t.Errorf("outcome %s, window open %v, remediated %v; want remediation, true, true", v.Outcome, v.WindowOpen, v.Sample1Remediated)
	}
	if len(v.Reasons) < 2 || !strings.Contains(v.Reasons[0], "m2") {
		t.Errorf("reasons should name the untested Sample 2 device m2: %q", v.Reasons)
	}
}

func TestCEPlusSampleSizes(t *testing.T) {
	devs := append(estate(), Device{ID: "s1", Type: "server", Build: "Debian 12"}, Device{ID: "s2", Type: "server", Build: "Debian 12"},
		Device{ID: "s3", Type: "server", Build: "Debian 12"}, Device{ID: "d1", Type: "desktop", Build: "Debian 12"})
	tests := []struct {
		name    string
		testAll []string
		want    map[string]int
	}{
		{name: "table only", want: map[string]int{"Windows 11 Pro 24H2": 3, "macOS 14": 2, "Debian 12": 2}},
		{name: "servers in full", testAll: []string{"server"}, want: map[string]int{"Windows 11 Pro 24H2": 3, "macOS 14": 2, "Debian 12": 4}},
		{name: "laptops in full", testAll: []string{"laptop"}, want: map[string]int{"Windows 11 Pro 24H2": 6, "macOS 14": 2, "Debian 12": 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := EvaluateCEPlus(CEPlusCase{Now: ts("2026-05-01T00:00:00Z"), TestAllTypes: tt.testAll, Devices: devs})
			if diff := cmp.Diff(tt.want, v.SampleSizes); diff != "" {
				t.Errorf("sample_sizes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCEPlusEventOrderAndTimeZone(t *testing.T) {
	// Events given out of order are replayed in time order; the window's dates are local.
	ev := concat([]Event{drawn("2026-05-01T08:05:00Z", 1, sample1...)}, s1Tested("2026-05-05T23:30:00Z", "w2", openssl))
	rev := make([]Event, len(ev))
	for i := range ev {
		rev[len(ev)-1-i] = ev[i]
	}
	v := EvaluateCEPlus(CEPlusCase{Now: ts("2026-05-07T00:00:00Z"), Devices: estate(), Events: rev})
	if v.RemediationDeadline == nil || v.RemediationDeadline.String() != "2026-06-05" {
		t.Errorf("remediation_deadline %v, want 2026-06-05 (the test at 23:30 UTC is on 2026-05-06 in London)", v.RemediationDeadline)
	}
	if v.Timezone != "Europe/London" {
		t.Errorf("timezone %q", v.Timezone)
	}
}
