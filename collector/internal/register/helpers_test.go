package register

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/assess/assesstest"
	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/ceplus/ceplus/shared/rules"
	"github.com/google/go-cmp/cmp"
)

// backends runs body once per store implementation, each on a fresh, empty database.
func backends(t *testing.T, body func(t *testing.T, g *Register)) {
	for _, b := range assesstest.Backends() {
		t.Run(b.Name, func(t *testing.T) { body(t, New(b.Open(t))) })
	}
}

// t0 is Monday 5 January 2026, 09:00 UTC (09:00 in London).
var t0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

func day(s string) calendar.Date {
	d, err := calendar.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func dayp(s string) *calendar.Date { d := day(s); return &d }

func instant(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr[T any](v T) *T { return &v }

func euccRecord(van int) NewRecord {
	return NewRecord{Product: "SecureBox", Version: "2.1", Vendor: "Acme Secure", CertificateID: "EUCC-DE-2025-0042",
		Scheme: SchemeEUCC, AVAVAN: van, Source: "researcher@example.org", Summary: "buffer overflow in the TLS parser",
		Received: t0.Add(-48 * time.Hour), VulnIDs: []string{"CVE-2026-1111"}, ExploitationDetails: "send a 70000-byte ClientHello to port 4433"}
}

func eiotRecord() NewRecord {
	return NewRecord{Product: "SmartLock", Version: "4.0", Vendor: "Lockco", CertificateID: "EIOT-SUB-2025-7",
		Scheme: SchemeEIoT, EIoTLevel: "substantial", Source: "CAB-R", Summary: "BLE pairing bypass",
		Received: t0, ExploitationDetails: "replay the pairing confirm value"}
}

func mustCreate(t *testing.T, g *Register, n NewRecord) Record {
	t.Helper()
	r, err := g.Create(t.Context(), n, "alice", t0)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return r
}

func mustApply(t *testing.T, g *Register, id string, c Change, at time.Time) Record {
	t.Helper()
	if c.Who == "" {
		c.Who = "alice"
	}
	r, err := g.Apply(t.Context(), id, c, at)
	if err != nil {
		t.Fatalf("Apply %s: %v", c.Kind, err)
	}
	return r
}

// engineAgrees checks the record's deadlines against the rules engine on the same facts: the
// record's cases are written as contract v1 JSON, decoded and evaluated exactly as
// `ceplus-collector rules evaluate` does, and the answers must equal the record's.
func engineAgrees(t *testing.T, rec Record, now time.Time) map[string]json.RawMessage {
	t.Helper()
	cases, err := rec.ContractCases(now)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{}
	if rec.Deadlines.EUCC != nil {
		got["eucc"] = rec.Deadlines.EUCC
	}
	if rec.Deadlines.EIoT != nil {
		got["eiot"] = rec.Deadlines.EIoT
	}
	if rec.Deadlines.EIoTFirstNotice != nil {
		got["eiot_first_notice"] = rec.Deadlines.EIoTFirstNotice
	}
	if len(got) != len(cases) {
		t.Errorf("record has %d engine answers, but %d cases: %v", len(got), len(cases), rec.Deadlines.Notes)
	}
	answers := map[string]json.RawMessage{}
	for key, js := range cases {
		c, err := rules.DecodeCase(bytes.NewReader(js))
		if err != nil {
			t.Fatalf("case %s %s: %v", key, js, err)
		}
		v, err := rules.Evaluate(c)
		if err != nil {
			t.Fatalf("evaluate %s: %v", key, err)
		}
		want, _ := json.Marshal(v)
		have, _ := json.Marshal(got[key])
		answers[key] = want
		if diff := cmp.Diff(jsonValue(t, want), jsonValue(t, have)); diff != "" {
			t.Errorf("%s: register deadlines differ from `rules evaluate` on %s (-engine +register):\n%s", key, js, diff)
		}
	}
	return answers
}

func jsonValue(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// item returns the record's deadline of kind k (the n-th for extension answers), or fails.
func item(t *testing.T, r Record, k DeadlineKind) Deadline {
	t.Helper()
	for _, d := range r.Deadlines.Items {
		if d.Kind == k {
			return d
		}
	}
	t.Fatalf("record %s has no %s deadline: %+v %v", r.ID, k, r.Deadlines.Items, r.Deadlines.Notes)
	return Deadline{}
}

// snapshot decodes the deadlines an event stored.
func snapshot(t *testing.T, payload []byte) Deadlines {
	t.Helper()
	var p struct {
		DeadlinesAfter *Deadlines `json:"deadlines_after"`
	}
	if err := json.Unmarshal(payload, &p); err != nil {
		t.Fatal(err)
	}
	if p.DeadlinesAfter == nil {
		t.Fatalf("event without deadlines_after: %s", payload)
	}
	return *p.DeadlinesAfter
}
