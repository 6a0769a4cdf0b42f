package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// collector is a ceplus-collector serve process and its data directory.
type collector struct {
	t      *testing.T
	data   string
	agents string // QUIC address, kept across restarts
	api    string
	p      *proc
	extra  []string
}

func newCollector(t *testing.T, extra ...string) *collector {
	c := &collector{t: t, data: filepath.Join(t.TempDir(), "data"), agents: "127.0.0.1:0", extra: extra}
	c.start()
	return c
}

// start runs serve and waits until it has written its listening addresses.
func (c *collector) start() {
	c.t.Helper()
	for _, f := range []string{"agents.addr", "api.addr"} {
		_ = os.Remove(filepath.Join(c.data, f))
	}
	args := append([]string{"ceplus-collector", "serve", "--data", c.data, "--listen-agents", c.agents, "--listen-api", "127.0.0.1:0"}, c.extra...)
	c.p = start(c.t, "collector", args...)
	waitFor(c.t, "the collector to listen", 30*time.Second, func() bool {
		a, err1 := os.ReadFile(filepath.Join(c.data, "agents.addr"))
		b, err2 := os.ReadFile(filepath.Join(c.data, "api.addr"))
		if err1 != nil || err2 != nil {
			return false
		}
		c.agents, c.api = strings.TrimSpace(string(a)), strings.TrimSpace(string(b))
		return true
	})
}

func (c *collector) fingerprint() string {
	b, err := os.ReadFile(filepath.Join(c.data, "ca.sha256"))
	if err != nil {
		c.t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// token creates an enrolment token.
func (c *collector) token(args ...string) string {
	c.t.Helper()
	out := must(c.t, append([]string{"ceplus-collector", "token", "create", "--data", c.data, "--json"}, args...)...)
	var v struct{ Token string }
	if err := json.Unmarshal([]byte(out), &v); err != nil || v.Token == "" {
		c.t.Fatalf("token create printed %q: %v", out, err)
	}
	return v.Token
}

// agentRow is one agent of `agents list --json`.
type agentRow struct {
	ID          string     `json:"id"`
	Hostname    string     `json:"hostname"`
	Build       string     `json:"build"`
	LastSeen    *time.Time `json:"last_seen"`
	Packages    int        `json:"packages"`
	ContentHash string     `json:"content_hash"`
	Revoked     bool       `json:"revoked"`
}

func (c *collector) list() []agentRow {
	c.t.Helper()
	var rows []agentRow
	if err := json.Unmarshal([]byte(must(c.t, "ceplus-collector", "agents", "list", "--data", c.data, "--json")), &rows); err != nil {
		c.t.Fatal(err)
	}
	return rows
}

func (c *collector) row(id string) agentRow {
	for _, r := range c.list() {
		if r.ID == id {
			return r
		}
	}
	return agentRow{}
}

// agent is an enrolled agent's state directory and recorded inventory.
type agent struct {
	t        *testing.T
	name     string
	state    string
	invFile  string
	id       string
	p        *proc
	hash     string
	variants int
}

// enrol enrols a new agent named name with a fresh token.
func (c *collector) enrol(name string) *agent {
	c.t.Helper()
	dir := c.t.TempDir()
	a := &agent{t: c.t, name: name, state: filepath.Join(dir, "state"), invFile: filepath.Join(dir, "inventory.json")}
	out := must(c.t, "ceplus-agent", "enrol", "--state", a.state, "--collector", c.agents, "--token", c.token(),
		"--ca-sha256", c.fingerprint(), "--hostname", name)
	f := strings.Fields(out)
	if len(f) < 4 || len(f[3]) != 64 {
		c.t.Fatalf("enrol printed %q", out)
	}
	a.id = f[3]
	a.hash = writeInventory(c.t, a.invFile, name, 50, 0)
	return a
}

// run starts the agent daemon.
func (a *agent) run(extra ...string) {
	args := append([]string{"ceplus-agent", "run", "--state", a.state, "--inventory-file", a.invFile, "--backoff-max", "2s"}, extra...)
	a.p = start(a.t, "agent "+a.name, args...)
}

// change writes a new variant of the agent's inventory and returns its content hash.
func (a *agent) change() string {
	a.variants++
	a.hash = writeInventory(a.t, a.invFile, a.name, 50+a.variants%3, a.variants)
	return a.hash
}

// spooled returns how many uploads wait in the agent's spool.
func (a *agent) spooled() int {
	m, err := filepath.Glob(filepath.Join(a.state, "spool", "*.upl"))
	if err != nil {
		a.t.Fatal(err)
	}
	return len(m)
}
