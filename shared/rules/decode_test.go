package rules

import (
	"errors"
	"strings"
	"testing"
)

const okDevices = `"devices":[{"id":"a","type":"laptop","build":"B"},{"id":"b","type":"server","build":"S"}]`

// cePlusCase wraps events (a JSON array body) into a CE+ case.
func cePlusCase(events string) string {
	return `{"contract":1,"scheme":"ceplus","now":"2026-06-01T00:00:00Z",` + okDevices + `,"events":[` + events + `]}`
}

func testedWith(finding string) string {
	return cePlusCase(`{"at":"2026-05-05T10:00:00Z","kind":"device_tested","sample":1,"device":"a","findings":[` + finding + `]}`)
}

func TestDecodeCaseMalformed(t *testing.T) {
	tests := []struct {
		name      string
		input     string
		wantField string // the FieldError's field; "" when the error is not about one field
		wantInMsg string // must appear in the message
	}{
		{name: "not JSON", input: `{"contract":`, wantInMsg: "not valid JSON"},
		{name: "syntax error", input: `{"contract": 1,,}`, wantInMsg: "line 1"},
		{name: "array instead of object", input: `[1]`, wantInMsg: "JSON object"},
		{name: "missing contract", input: `{"scheme":"eiot"}`, wantField: "contract", wantInMsg: "missing"},
		{name: "wrong contract", input: `{"contract":2,"scheme":"eiot"}`, wantField: "contract", wantInMsg: "= 2"},
		{name: "contract as a string", input: `{"contract":"1","scheme":"eiot"}`, wantField: "contract", wantInMsg: "integer"},
		{name: "missing scheme", input: `{"contract":1}`, wantField: "scheme"},
		{name: "unknown scheme", input: `{"contract":1,"scheme":"pci","now":"2026-06-01T00:00:00Z"}`, wantField: "scheme", wantInMsg: `"pci"`},
		{name: "missing now", input: `{"contract":1,"scheme":"eiot"}`, wantField: "now", wantInMsg: "missing"},
		{name: "bad now", input: `{"contract":1,"scheme":"eiot","now":"2026-06-01 12:00"}`, wantField: "now", wantInMsg: `"2026-06-01 12:00"`},
		{name: "unknown time zone", input: `{"contract":1,"scheme":"eiot","now":"2026-06-01T00:00:00Z","policy":{"timezone":"Mars/Olympus"}}`, wantField: "policy.timezone", wantInMsg: "Mars/Olympus"},
		{name: "bad holiday", input: `{"contract":1,"scheme":"eiot","now":"2026-06-01T00:00:00Z","policy":{"holidays":["2026-05-04","4 May"]}}`, wantField: "policy.holidays[1]", wantInMsg: `"4 May"`},
		{name: "unknown test_all_types", input: `{"contract":1,"scheme":"ceplus","now":"2026-06-01T00:00:00Z","policy":{"test_all_types":["router"]},` + okDevices + `,"events":[]}`, wantField: "policy.test_all_types[0]", wantInMsg: `"router"`},
		{name: "missing devices", input: `{"contract":1,"scheme":"ceplus","now":"2026-06-01T00:00:00Z","events":[]}`, wantField: "devices"},
		{name: "missing events", input: `{"contract":1,"scheme":"ceplus","now":"2026-06-01T00:00:00Z",` + okDevices + `}`, wantField: "events"},
		{name: "device without build", input: `{"contract":1,"scheme":"ceplus","now":"2026-06-01T00:00:00Z","devices":[{"id":"a","type":"laptop"}],"events":[]}`, wantField: "devices[0].build"},
		{name: "unknown device type", input: `{"contract":1,"scheme":"ceplus","now":"2026-06-01T00:00:00Z","devices":[{"id":"a","type":"tablet","build":"B"}],"events":[]}`, wantField: "devices[0].type", wantInMsg: `"tablet"`},
		{name: "duplicate device id", input: `{"contract":1,"scheme":"ceplus","now":"2026-06-01T00:00:00Z","devices":[{"id":"a","type":"laptop","build":"B"},{"id":"a","type":"laptop","build":"B"}],"events":[]}`, wantField: "devices[1].id", wantInMsg: "devices[0]"},
		{name: "event without at", input: cePlusCase(`{"kind":"scope_frozen"}`), wantField: "events[0].at"},
		{name: "event with a bad at", input: cePlusCase(`{"at":"2026-13-01T00:00:00Z","kind":"scope_frozen"}`), wantField: "events[0].at", wantInMsg: "2026-13-01"},
		{name: "event without kind", input: cePlusCase(`{"at":"2026-05-01T00:00:00Z"}`), wantField: "events[0].kind"},
		{name: "unknown event kind", input: cePlusCase(`{"at":"2026-05-01T00:00:00Z","kind":"scope_thawed"}`), wantField: "events[0].kind", wantInMsg: `"scope_thawed"`},
		{name: "draw without sample", input: cePlusCase(`{"at":"2026-05-01T00:00:00Z","kind":"sample_drawn","devices":["a"]}`), wantField: "events[0].sample"},
		{name: "sample 3", input: cePlusCase(`{"at":"2026-05-01T00:00:00Z","kind":"sample_drawn","sample":3,"devices":["a"]}`), wantField: "events[0].sample", wantInMsg: "3"},
		{name: "draw of nothing", input: cePlusCase(`{"at":"2026-05-01T00:00:00Z","kind":"sample_drawn","sample":1,"devices":[]}`), wantField: "events[0].devices"},
		{name: "unknown device drawn", input: cePlusCase(`{"at":"2026-05-01T00:00:00Z","kind":"sample_drawn","sample":1,"devices":["a","zz"]}`), wantField: "events[0].devices[1]", wantInMsg: `"zz"`},
		{name: "unknown device declared", input: cePlusCase(`{"at":"2026-05-01T00:00:00Z","kind":"sample_declared","sample":2,"devices":["zz"]}`), wantField: "events[0].devices[0]", wantInMsg: `"zz"`},
		{name: "unknown device tested", input: cePlusCase(`{"at":"2026-05-01T00:00:00Z","kind":"device_tested","sample":1,"device":"zz","findings":[]}`), wantField: "events[0].device", wantInMsg: `"zz"`},
		{name: "test without findings", input: cePlusCase(`{"at":"2026-05-01T00:00:00Z","kind":"device_tested","sample":1,"device":"a"}`), wantField: "events[0].findings"},
		{name: "test with null findings", input: cePlusCase(`{"at":"2026-05-01T00:00:00Z","kind":"device_tested","sample":1,"device":"a","findings":null}`), wantField: "events[0].findings"},
		{name: "decision without decision", input: cePlusCase(`{"at":"2026-05-01T00:00:00Z","kind":"assessor_decision","question":"q"}`), wantField: "events[0].decision"},
		{name: "finding without ids", input: testedWith(`{"package":"p"}`), wantField: "events[0].findings[0].ids"},
		{name: "finding with no ids", input: testedWith(`{"ids":[]}`), wantField: "events[0].findings[0].ids"},
		{name: "finding with an empty id", input: testedWith(`{"ids":["CVE-1",""]}`), wantField: "events[0].findings[0].ids[1]"},
		{name: "bad vendor severity", input: testedWith(`{"ids":["CVE-1"],"severity":{"vendor":"important"}}`), wantField: "events[0].findings[0].severity.vendor", wantInMsg: `"important"`},
		{name: "cvss above 10", input: testedWith(`{"ids":["CVE-1"],"severity":{"cvss3":11}}`), wantField: "events[0].findings[0].severity.cvss3", wantInMsg: "11"},
		{name: "cvss as a string", input: testedWith(`{"ids":["CVE-1"],"severity":{"cvss3":"9.8"}}`), wantField: "events.findings.severity.cvss3", wantInMsg: "number"},
		{name: "bad fix_released", input: testedWith(`{"ids":["CVE-1"],"fix_released":"2026-04-31"}`), wantField: "events[0].findings[0].fix_released", wantInMsg: `"2026-04-31"`},
		{name: "eucc without attack potential", input: `{"contract":1,"scheme":"eucc","now":"2026-02-01T00:00:00Z","ava_van":3,"confirmed":"2026-01-10"}`, wantField: "attack_potential"},
		{name: "eucc negative attack potential", input: `{"contract":1,"scheme":"eucc","now":"2026-02-01T00:00:00Z","attack_potential":-1,"ava_van":3,"confirmed":"2026-01-10"}`, wantField: "attack_potential", wantInMsg: "-1"},
		{name: "eucc AVA_VAN 6", input: `{"contract":1,"scheme":"eucc","now":"2026-02-01T00:00:00Z","attack_potential":12,"ava_van":6,"confirmed":"2026-01-10"}`, wantField: "ava_van", wantInMsg: "6"},
		{name: "eucc bad confirmed", input: `{"contract":1,"scheme":"eucc","now":"2026-02-01T00:00:00Z","attack_potential":12,"ava_van":3,"confirmed":"10/01/2026"}`, wantField: "confirmed", wantInMsg: "10/01/2026"},
		{name: "eucc zero mutual agreement", input: `{"contract":1,"scheme":"eucc","now":"2026-02-01T00:00:00Z","attack_potential":12,"ava_van":2,"confirmed":"2026-01-10","mutual_agreement_days":0}`, wantField: "mutual_agreement_days"},
		{name: "eucc extension without days", input: `{"contract":1,"scheme":"eucc","now":"2026-02-01T00:00:00Z","attack_potential":12,"ava_van":3,"confirmed":"2026-01-10","extensions":[{"requested":"2026-03-01"}]}`, wantField: "extensions[0].days"},
		{name: "eucc extension bad answer", input: `{"contract":1,"scheme":"eucc","now":"2026-02-01T00:00:00Z","attack_potential":12,"ava_van":3,"confirmed":"2026-01-10","extensions":[{"requested":"2026-03-01","days":60,"answer":"maybe"}]}`, wantField: "extensions[0].answer", wantInMsg: `"maybe"`},
		{name: "eiot unknown triage", input: `{"contract":1,"scheme":"eiot","now":"2026-01-09T12:00:00Z","triage":"purple","notified":"2026-01-09T10:00:00Z"}`, wantField: "triage", wantInMsg: `"purple"`},
		{name: "eiot missing triage", input: `{"contract":1,"scheme":"eiot","now":"2026-01-09T12:00:00Z","notified":"2026-01-09T10:00:00Z"}`, wantField: "triage"},
		{name: "eiot missing notified", input: `{"contract":1,"scheme":"eiot","now":"2026-01-09T12:00:00Z","triage":"red"}`, wantField: "notified"},
		{name: "eiot triage and risk level disagree", input: `{"contract":1,"scheme":"eiot","now":"2026-01-09T12:00:00Z","triage":"red","risk_level":"basic","notified":"2026-01-09T10:00:00Z"}`, wantField: "risk_level"},
		{name: "two cases", input: `{"contract":1,"scheme":"eiot","now":"2026-01-09T12:00:00Z","triage":"red","notified":"2026-01-09T10:00:00Z"}{}`, wantInMsg: "after the JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeCase(strings.NewReader(tt.input))
			if err == nil {
				t.Fatal("DecodeCase accepted a malformed case")
			}
			var fe *FieldError
			if tt.wantField != "" {
				if !errors.As(err, &fe) {
					t.Fatalf("error %q is not a *FieldError", err)
				}
				if fe.Field != tt.wantField {
					t.Errorf("field %q, want %q (%v)", fe.Field, tt.wantField, err)
				}
				if !strings.Contains(err.Error(), tt.wantField) {
					t.Errorf("message %q does not name the field %q", err, tt.wantField)
				}
			}
			if !strings.Contains(err.Error(), tt.wantInMsg) {
				t.Errorf("message %q does not contain %q", err, tt.wantInMsg)
			}
		})
	}
}

func TestDecodeCaseLenient(t *testing.T) {
	// Extra fields are accepted; vendor severity case is normalised; policy holidays replace the
	// built-in list; a risk level may stand in for the triage.
	c, err := DecodeCase(strings.NewReader(`{"contract":1,"scheme":"ceplus","now":"2026-06-01T00:00:00Z","comment":"extra",
		"policy":{"timezone":"Europe/Paris","holidays":["2026-05-01"],"test_all_types":["server"],"x":1},
		"devices":[{"id":"a","type":"laptop","build":"B","serial":"123"}],
		"events":[{"at":"2026-05-05T10:00:00Z","kind":"device_tested","sample":1,"device":"a","note":"n",
		  "findings":[{"ids":["CVE-1"],"severity":{"vendor":"HIGH"},"fix_released":null,"source":"osv"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	p := c.CEPlus
	if p == nil || c.Scheme != SchemeCEPlus {
		t.Fatalf("decoded %+v", c)
	}
	if got := p.Events[0].Findings[0]; got.Severity.Vendor != "high" || got.FixReleased != nil {
		t.Errorf("finding %+v", got)
	}
	if p.Calendar.Location().String() != "Europe/Paris" || p.Calendar.IsBusinessDay(day("2026-05-01")) || !p.Calendar.IsBusinessDay(day("2026-05-04")) {
		t.Error("policy time zone or holidays not applied")
	}
	if len(p.TestAllTypes) != 1 {
		t.Errorf("test_all_types %v", p.TestAllTypes)
	}
	e, err := DecodeCase(strings.NewReader(`{"contract":1,"scheme":"eiot","now":"2026-01-09T12:00:00Z","risk_level":"SUBSTANTIAL","notified":"2026-01-09T10:00:00Z"}`))
	if err != nil || e.EIoT.Triage != TriageAmber {
		t.Errorf("risk level: %+v, %v", e.EIoT, err)
	}
	// Without a policy: Europe/London and the England and Wales bank holidays.
	d, err := DecodeCase(strings.NewReader(`{"contract":1,"scheme":"eiot","now":"2026-01-09T12:00:00Z","triage":"GREEN","notified":"2026-01-09T10:00:00Z"}`))
	if err != nil || d.EIoT.Calendar.Location().String() != "Europe/London" || d.EIoT.Calendar.IsBusinessDay(day("2026-05-04")) {
		t.Errorf("default calendar: %v", err)
	}
}

func TestEvaluateRejectsInvalidCases(t *testing.T) {
	tests := []struct {
		name string
		c    Case
	}{
		{name: "no scheme", c: Case{}},
		{name: "scheme without its case", c: Case{Scheme: SchemeEUCC}},
		{name: "invalid CE+ case", c: Case{Scheme: SchemeCEPlus, CEPlus: &CEPlusCase{Now: ts("2026-01-01T00:00:00Z"), Devices: []Device{{ID: "a", Type: "toaster", Build: "B"}}}}},
		{name: "invalid EUCC case", c: Case{Scheme: SchemeEUCC, EUCC: &EUCCCase{Now: ts("2026-01-01T00:00:00Z"), AVAVAN: 0, Confirmed: day("2026-01-01")}}},
		{name: "invalid e-IoT case", c: Case{Scheme: SchemeEIoT, EIoT: &EIoTCase{Now: ts("2026-01-01T00:00:00Z"), Triage: "red"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if v, err := Evaluate(tt.c); err == nil {
				t.Errorf("Evaluate accepted it: %+v", v)
			}
		})
	}
}
