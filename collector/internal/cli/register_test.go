package cli

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/api"
	"github.com/ceplus/ceplus/collector/internal/register"
	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/collector/internal/store/sqlite"
	"github.com/google/go-cmp/cmp"
)

// registerEnv is an API over a fresh SQLite store at a fixed time, with editor and viewer tokens.
type registerEnv struct {
	t        *testing.T
	api      string
	editor   string
	viewer   string
	assessor string
}

func newRegisterEnv(t *testing.T, now time.Time) *registerEnv {
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv := httptest.NewServer(api.New(api.Deps{Store: st, Now: func() time.Time { return now }}))
	t.Cleanup(srv.Close)
	e := &registerEnv{t: t, api: srv.URL}
	for role, secret := range map[store.Role]*string{store.RoleApplicant: &e.editor, store.RoleViewer: &e.viewer, store.RoleAssessor: &e.assessor} {
		*secret = "cpt_test_" + string(role)
		if err := st.PutToken(t.Context(), store.Token{Hash: store.HashToken(*secret), Role: role, Uses: store.Unlimited, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// run runs `ceplus-collector register ARGS…` in-process with the token and returns the exit
// code, standard output and standard error.
func (e *registerEnv) run(token string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	full := append([]string{"ceplus-collector", "register"}, args...)
	full = append(full, "--api", e.api, "--token", token)
	code := Run(e.t.Context(), full, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func (e *registerEnv) ok(args ...string) string {
	e.t.Helper()
	code, out, errs := e.run(e.editor, args...)
	if code != 0 {
		e.t.Fatalf("register %s: exit %d: %s", strings.Join(args, " "), code, errs)
	}
	return out
}

// TestRegisterCLI keeps a record from the CLI and checks its deadline against the real
// `ceplus-collector rules evaluate` binary on the case the register exports.
func TestRegisterCLI(t *testing.T) {
	now := time.Date(2026, 2, 2, 12, 0, 0, 0, time.UTC)
	e := newRegisterEnv(t, now)
	id := strings.TrimSpace(e.ok("create", "--product", "SecureBox", "--version", "2.1", "--cert", "EUCC-DE-2025-0042", "--scheme", "eucc",
		"--ava-van", "3", "--source", "researcher", "--summary", "TLS parser overflow", "--received", "2026-01-05T09:00:00Z",
		"--vuln", "CVE-2026-1111", "--exploitation", "oversized ClientHello", "--who", "alice"))
	if !strings.HasPrefix(id, "vr-") {
		t.Fatalf("create printed %q, want a record id", id)
	}
	code, _, errs := e.run(e.viewer, "analyse", id, "--confirmed", "2026-01-10", "--who", "mallory")
	if code != 1 || !strings.Contains(errs, "forbidden_role") {
		t.Errorf("a viewer's analyse: exit %d, %s; want 1 and forbidden_role", code, errs)
	}
	e.ok("analyse", id, "--confirmed", "2026-01-10", "--who", "alice")
	e.ok("eucc", id, "--attack-potential", "12", "--who", "alice")
	e.ok("extension", "request", id, "--requested", "2026-02-01", "--days", "60", "--who", "alice")
	e.ok("extension", "answer", id, "--extension", "1", "--answer", "granted", "--answered", "2026-02-02", "--who", "bob")
	show := e.ok("show", id)
	if !strings.Contains(show, "impact_analysis") || !strings.Contains(show, "2026-06-09") {
		t.Errorf("show lacks the extended deadline 2026-06-09:\n%s", show)
	}

	caseJSON := e.ok("case", id)
	var cases map[string]json.RawMessage
	if err := json.Unmarshal([]byte(caseJSON), &cases); err != nil {
		t.Fatalf("case: %v\n%s", err, caseJSON)
	}
	file := filepath.Join(t.TempDir(), "case.json")
	if err := os.WriteFile(file, cases["eucc"], 0o600); err != nil {
		t.Fatal(err)
	}
	engine, err := exec.Command(binary(t), "rules", "evaluate", file).Output()
	if err != nil {
		t.Fatalf("rules evaluate %s: %v", cases["eucc"], err)
	}
	var rec register.Record
	if err := json.Unmarshal([]byte(e.ok("show", id, "--json")), &rec); err != nil {
		t.Fatal(err)
	}
	mine, _ := json.Marshal(rec.Deadlines.EUCC)
	var a, b any
	json.Unmarshal(engine, &a)
	json.Unmarshal(mine, &b)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("register deadlines differ from the rules evaluate binary (-binary +register):\n%s", diff)
	}

	due := e.ok("due", "--within", "200d")
	if !strings.Contains(due, "impact_analysis") || !strings.Contains(due, id) {
		t.Errorf("due lacks the record's impact analysis:\n%s", due)
	}
	html := e.ok("export", id, "--audience", "community", "--format", "html")
	if !strings.Contains(html, "TLP:AMBER") || strings.Contains(html, "oversized ClientHello") {
		t.Errorf("community HTML export: label or redaction wrong")
	}
	full := e.ok("export", "--product", "SecureBox", "--audience", "certification_body")
	if !strings.Contains(full, "oversized ClientHello") {
		t.Errorf("certification body JSON export lacks the exploitation details")
	}
	code, _, errs = e.run(e.assessor, "delete", id, "--reason", "tidy", "--who", "alice")
	if code != 2 || !strings.Contains(errs, "still open") {
		t.Errorf("delete of an open record: exit %d, %s; want 2 and a retention explanation", code, errs)
	}
	e.ok("exit", id, "--reason", "no_security", "--who", "alice")
	list := e.ok("list", "--product", "SecureBox")
	if !strings.Contains(list, id) || !strings.Contains(list, "exited") {
		t.Errorf("list:\n%s", list)
	}
}
