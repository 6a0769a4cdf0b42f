package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestEnrolmentRefusals(t *testing.T) {
	c := newCollector(t)
	reused := c.token()
	enrolled := c.enrol("pc-ok") // one good enrolment, to show the refusals add nothing
	_ = enrolled
	must(t, "ceplus-agent", "enrol", "--state", filepath.Join(t.TempDir(), "first"), "--collector", c.agents,
		"--token", reused, "--ca-sha256", c.fingerprint())
	wrongPin := strings.Repeat("ab", 32)
	tests := []struct {
		name  string
		token string
		pin   string
		want  string
	}{
		{name: "wrong CA pin", token: c.token(), pin: wrongPin, want: "does not match the pinned fingerprint"},
		{name: "unknown token", token: "cpe_not-a-token-this-collector-issued", pin: c.fingerprint(), want: "token unknown"},
		{name: "expired token", token: c.token("--expires", "1ms"), pin: c.fingerprint(), want: "token expired"},
		{name: "reused single-use token", token: reused, pin: c.fingerprint(), want: "already used"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			state := filepath.Join(t.TempDir(), "state")
			_, stderr, code := run(t, "ceplus-agent", "enrol", "--state", state, "--collector", c.agents,
				"--token", tc.token, "--ca-sha256", tc.pin)
			if code == 0 || !strings.Contains(stderr, tc.want) {
				t.Fatalf("enrol: exit %d, stderr %q; want a failure naming %q", code, stderr, tc.want)
			}
			if entries, err := os.ReadDir(state); err == nil && len(entries) > 0 {
				t.Errorf("refused enrolment left %d files in the state directory", len(entries))
			}
		})
	}
	if rows := c.list(); len(rows) != 2 {
		t.Errorf("agents list has %d agents after the refusals, want the 2 enrolled", len(rows))
	}
	if !strings.Contains(c.p.Output(), "REJECT enrolment") {
		t.Errorf("the collector logged no enrolment refusal")
	}
}

func TestRevokedAgentIsCutOffAndRefused(t *testing.T) {
	c := newCollector(t)
	a, other := c.enrol("pc-revoked"), c.enrol("pc-other")
	a.run()
	other.run()
	waitFor(t, "both agents to upload", 30*time.Second, func() bool {
		return c.row(a.id).ContentHash == a.hash && c.row(other.id).ContentHash == other.hash
	})
	before := a.hash
	must(t, "ceplus-collector", "agents", "revoke", "--data", c.data, a.id[:12])
	// the live connection is closed ...
	waitFor(t, "the revoked agent's connection to close", 30*time.Second, func() bool {
		return strings.Contains(a.p.Output(), "agent revoked: enrol it again")
	})
	// ... and its next handshakes are refused
	waitFor(t, "a refused handshake", 30*time.Second, func() bool {
		return strings.Contains(a.p.Output(), "refused this agent's certificate") &&
			strings.Contains(c.p.Output(), "REJECT agent handshake: agent revoked")
	})
	a.change() // nothing of it may be stored
	n := strings.Count(a.p.Output(), "refused this agent's certificate")
	waitFor(t, "another refused handshake", 30*time.Second, func() bool {
		return strings.Count(a.p.Output(), "refused this agent's certificate") > n
	})
	if r := c.row(a.id); !r.Revoked || r.ContentHash != before {
		t.Errorf("revoked agent's row %+v: want revoked with its content unchanged (%s)", r, before)
	}
	if strings.Contains(other.p.Output(), "retrying") {
		t.Errorf("revoking one agent disturbed another:\n%s", other.p.Output())
	}
}
