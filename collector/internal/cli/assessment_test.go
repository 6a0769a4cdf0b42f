package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/assess"
	"github.com/ceplus/ceplus/collector/internal/assess/assesstest"
	"github.com/ceplus/ceplus/collector/internal/serve"
	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/collector/internal/store/pgtest"
	"github.com/ceplus/ceplus/collector/internal/store/postgres"
	"github.com/ceplus/ceplus/collector/internal/store/sqlite"
	"github.com/ceplus/ceplus/shared/rules"
	"github.com/ceplus/ceplus/shared/vulndb"
	"github.com/google/go-cmp/cmp"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// binary builds the real ceplus-collector once per test run.
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ceplus-assessment-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "ceplus-collector")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/ceplus/ceplus/collector/cmd/ceplus-collector").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build ceplus-collector: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// liveCollector is a real `ceplus-collector serve` on loopback with its store.
type liveCollector struct {
	t       *testing.T
	bin     string
	data    string
	storeFl []string // --data DIR or --store URL for the administrative commands
	api     string
	open    func() store.Store // opens the same database in the test process
	env     []string
}

func startCollector(t *testing.T, backend string) *liveCollector {
	bin := binary(t)
	c := &liveCollector{t: t, bin: bin, data: filepath.Join(t.TempDir(), "data")}
	c.storeFl = []string{"--data", c.data}
	c.open = func() store.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(c.data, sqlite.FileName))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if backend == "postgres" {
		u := pgtest.Schema(t)
		c.storeFl = []string{"--store", u}
		c.open = func() store.Store {
			s, err := postgres.Open(context.Background(), u)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	args := append([]string{"serve", "--data", c.data, "--listen-agents", "127.0.0.1:0", "--listen-api", "127.0.0.1:0"}, c.storeFl[min(2, len(c.storeFl)):]...)
	if backend == "postgres" {
		args = append(args, c.storeFl...)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait() // killed by the cancel: its exit status says nothing
		if t.Failed() {
			t.Logf("collector output:\n%s", logs.String())
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		b, err := os.ReadFile(filepath.Join(c.data, "api.addr"))
		if err == nil && len(bytes.TrimSpace(b)) > 0 {
			c.api = "http://" + strings.TrimSpace(string(b))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the collector did not start:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.env = append(os.Environ(), "CEPLUS_API="+c.api, "CEPLUS_TOKEN="+c.token("assessor"))
	return c
}

// run runs the binary and returns stdout, stderr and the exit code.
func (c *liveCollector) run(stdin string, args ...string) (string, string, int) {
	c.t.Helper()
	cmd := exec.Command(c.bin, args...)
	cmd.Env = c.env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatalf("run %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

// must runs the binary and fails the test unless it exits 0.
func (c *liveCollector) must(args ...string) string {
	c.t.Helper()
	out, errs, code := c.run("", args...)
	if code != 0 {
		c.t.Fatalf("%v exited %d:\n%s%s", args, code, out, errs)
	}
	return out
}

func (c *liveCollector) token(role string, extra ...string) string {
	c.t.Helper()
	args := append(append([]string{"token", "create", "--role", role, "--json"}, c.storeFl...), extra...)
	var v struct {
		Token string     `json:"token"`
		Role  store.Role `json:"role"`
	}
	if err := json.Unmarshal([]byte(c.must(args...)), &v); err != nil || v.Token == "" || string(v.Role) != role {
		c.t.Fatalf("token create --role %s: %+v, %v", role, v, err)
	}
	return v.Token
}

const liveScope = `id,type,build,hostname
pc-01,laptop,Windows 11 Pro 24H2,pc-01
pc-02,laptop,Windows 11 Pro 24H2,pc-02
pc-03,desktop,Windows 11 Pro 24H2,pc-03
pc-04,laptop,Windows 11 Pro 24H2,pc-04
deb-1,desktop,Debian 12,deb-1
srv-a,server,Debian 12,srv-a
`

// resultsFile writes an import-results file: every device clean except bad, which has a
// critical vulnerability whose fix is 60 days old.
func resultsFile(t *testing.T, n int, devices []string, bad string) string {
	var devs []map[string]any
	for _, d := range devices {
		fs := []map[string]any{}
		if d == bad {
			fs = append(fs, map[string]any{"ids": []string{"CVE-2026-7000"}, "package": "openssl", "installed": "3.0.1", "fixed": "3.0.2",
				"severity": map[string]any{"vendor": "critical"}, "fix_released": time.Now().AddDate(0, 0, -60).Format(time.DateOnly)})
		}
		devs = append(devs, map[string]any{"device": d, "findings": fs})
	}
	b, err := json.Marshal(map[string]any{"sample": n, "devices": devs})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "results.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAssessmentCLI runs assessments through the real binary against a real collector, on
// SQLite and PostgreSQL: a clean pass from a CSV scope with imported results, a refusal after a
// failing Sample 1, role checks of tokens made by `token create --role`, `rules evaluate` on
// `export-case` against the collector's verdict, and tampering caught by `assessment verify`.
func TestAssessmentCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			if backend == "postgres" {
				pgtest.Require(t)
			}
			c := startCollector(t, backend)
			scope := filepath.Join(t.TempDir(), "scope.csv")
			if err := os.WriteFile(scope, []byte(liveScope), 0o644); err != nil {
				t.Fatal(err)
			}
			osv, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "vulndb", "testdata", "osv", "Debian"))
			if err != nil {
				t.Fatal(err)
			}
			m, err := vulndb.Import(t.Context(), filepath.Join(c.data, serve.VulnDBDir), []string{osv}, time.Now(), nil)
			if err != nil {
				t.Fatalf("import the test OSV records: %v", err)
			}
			for _, id := range []string{"asm-pass", "asm-refuse"} {
				out := c.must("assessment", "create", "--id", id, "--org", "Example Ltd", "--test-all-types", "server",
					"--snapshot", "latest", "--holidays", "2026-05-04,2026-05-25", "--json")
				if !strings.Contains(out, m.Hash) {
					t.Errorf("create --snapshot latest printed %s, want snapshot %s pinned", out, m.Hash)
				}
				c.must("assessment", "scope", "import", id, scope)
				if out := c.must("assessment", "freeze", id); !strings.Contains(out, "6 devices") {
					t.Errorf("freeze printed %q", out)
				}
				out = c.must("assessment", "draw", id, "--sample", "1")
				if i, j := strings.Index(out, "commitment:"), strings.Index(out, "seed:"); i < 0 || j < i {
					t.Errorf("draw printed %q: want the commitment before the seed", out)
				}
			}
			var s1 assess.CaseJSON
			if err := json.Unmarshal([]byte(c.must("assessment", "export-case", "asm-pass")), &s1); err != nil {
				t.Fatal(err)
			}
			var drawn []string
			for _, e := range s1.Events {
				if e.Kind == rules.EventSampleDrawn {
					drawn = *e.Devices
				}
			}
			if len(drawn) != 4 { // 3 of 4 Windows, deb-1 and srv-a
				t.Fatalf("Sample 1 = %v, want 4 devices", drawn)
			}
			// No device has an agent: the scan reports each as failed, with what to do.
			out, errs, code := c.run("", "assessment", "scan", "asm-pass", "--sample", "1")
			if code != 0 || !strings.Contains(out, "0 matched, 4 failed") || !strings.Contains(out, "import its results") || !strings.Contains(errs, "] 4/4") {
				t.Errorf("scan without agents: exit %d\nstdout %s\nstderr %s", code, out, errs)
			}
			c.must("assessment", "import-results", "asm-pass", resultsFile(t, 1, drawn, ""))
			c.must("assessment", "import-results", "asm-refuse", resultsFile(t, 1, drawnOf(t, c, "asm-refuse"), "deb-1"))

			applicant := c.token("applicant", "--assessment", "asm-refuse")
			if _, errs, code := c.run("", "token", "create", "--role", "applicant", c.storeFl[0], c.storeFl[1]); code != 2 || !strings.Contains(errs, "--assessment") {
				t.Errorf("token create --role applicant without --assessment: exit %d, %q; want 2 naming --assessment", code, errs)
			}
			_, errs, code = c.run("", "assessment", "draw", "asm-refuse", "--sample", "2", "--token", applicant)
			if code != 1 || !strings.Contains(errs, "forbidden_role") {
				t.Errorf("applicant draw: exit %d, %q; want 1 with forbidden_role", code, errs)
			}
			if _, errs, code := c.run("", "assessment", "show", "asm-pass", "--token", applicant); code != 1 || !strings.Contains(errs, "other_assessment") {
				t.Errorf("applicant reading another assessment: exit %d, %q", code, errs)
			}
			viewer := c.token("viewer")
			if _, errs, code := c.run("", "assessment", "freeze", "asm-pass", "--token", viewer); code != 1 || !strings.Contains(errs, "forbidden_role") {
				t.Errorf("viewer freeze: exit %d, %q", code, errs)
			}
			c.must("assessment", "refuse", "asm-refuse", "--token", applicant, "--reason", "not now")

			for id, want := range map[string]rules.Outcome{"asm-pass": rules.OutcomePass, "asm-refuse": rules.OutcomeNotAchieved} {
				var v assess.Verdict
				if err := json.Unmarshal([]byte(c.must("assessment", "verdict", id, "--json")), &v); err != nil {
					t.Fatal(err)
				}
				if v.Outcome != want {
					t.Errorf("%s: verdict %s (%v), want %s", id, v.Outcome, v.Reasons, want)
				}
				file := filepath.Join(t.TempDir(), id+".json")
				c.must("assessment", "export-case", id, "-o", file, "--now", v.Now.Format(time.RFC3339Nano))
				var fromRules rules.CEPlusVerdict
				if err := json.Unmarshal([]byte(c.must("rules", "evaluate", file)), &fromRules); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(v.CEPlusVerdict, fromRules); diff != "" {
					t.Errorf("%s: rules evaluate on the export differs from the collector's verdict (-collector +rules):\n%s", id, diff)
				}
			}

			if out := c.must("assessment", "verify", "asm-refuse"); !strings.Contains(out, "verifies") {
				t.Errorf("verify printed %q", out)
			}
			st := c.open()
			defer st.Close()
			b := map[string]assesstest.Backend{}
			for _, x := range assesstest.Backends() {
				b[x.Name] = x
			}
			for _, q := range b[backend].Unguard {
				assesstest.Raw(t, st, q)
			}
			assesstest.Raw(t, st, `UPDATE events SET kind = 'verdict_recorded' WHERE stream = 'asm-refuse' AND kind = 'sample2_refused'`)
			out, errs, code = c.run("", "assessment", "verify", "asm-refuse")
			if code != 1 || !strings.Contains(out, "broken at seq") {
				t.Errorf("verify after tampering: exit %d\n%s%s\nwant exit 1 naming the broken seq", code, out, errs)
			}
		})
	}
}

// drawnOf returns the Sample 1 devices of an assessment from `show --json`.
func drawnOf(t *testing.T, c *liveCollector, id string) []string {
	var v struct {
		Samples []struct {
			Devices []string `json:"devices"`
		} `json:"samples"`
	}
	if err := json.Unmarshal([]byte(c.must("assessment", "show", id, "--json")), &v); err != nil || len(v.Samples) == 0 {
		t.Fatalf("show %s: %+v, %v", id, v, err)
	}
	return v.Samples[0].Devices
}
