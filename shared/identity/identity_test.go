package identity

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestAgentIDRoundTrip(t *testing.T) {
	id := AgentIDFromCert([]byte("certificate bytes"))
	if id.IsZero() {
		t.Fatal("zero id from a certificate")
	}
	b, err := json.Marshal(map[string]AgentID{"id": id})
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]AgentID
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back["id"] != id {
		t.Fatalf("round trip: %s != %s", back["id"], id)
	}
	if len(id.String()) != 64 || !strings.HasPrefix(id.String(), id.Short()) {
		t.Errorf("bad forms %q %q", id.String(), id.Short())
	}
	if id.LogValue().String() != id.Short() {
		t.Errorf("LogValue = %q", id.LogValue().String())
	}
}

func TestParseAgentIDRejects(t *testing.T) {
	for _, s := range []string{"", "abc", strings.Repeat("g", 64), strings.Repeat("a", 62)} {
		if _, err := ParseAgentID(s); err == nil {
			t.Errorf("ParseAgentID(%q) accepted", s)
		}
	}
}

func TestNormalizeFingerprint(t *testing.T) {
	fp := Fingerprint([]byte("ca"))
	colon := strings.ToUpper(fp[:2] + ":" + fp[2:])
	got, err := NormalizeFingerprint(colon)
	if err != nil || got != fp {
		t.Fatalf("NormalizeFingerprint(%q) = %q, %v; want %q", colon, got, err, fp)
	}
	if _, err := NormalizeFingerprint("deadbeef"); err == nil {
		t.Error("short fingerprint accepted")
	}
}
