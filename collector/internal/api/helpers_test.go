package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/assess"
	"github.com/ceplus/ceplus/collector/internal/assess/assesstest"
	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/rules"
)

// t0 is a Monday morning in London.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const snapshotHash = "5e2f5e2f5e2f5e2f5e2f5e2f5e2f5e2f5e2f5e2f5e2f5e2f5e2f5e2f5e2f5e2f"

// env is one test's API over a fresh store, with a fake clock and an assessor and a viewer client.
type env struct {
	t        *testing.T
	ctx      context.Context
	store    store.Store
	backend  assesstest.Backend
	clock    *assesstest.Clock
	srv      *httptest.Server
	assessor *Client
	viewer   *Client
}

// forEachBackend runs body against SQLite and PostgreSQL.
func forEachBackend(t *testing.T, body func(t *testing.T, e *env)) {
	for _, b := range assesstest.Backends() {
		t.Run(b.Name, func(t *testing.T) { body(t, newEnv(t, b, Deps{})) })
	}
}

func newEnv(t *testing.T, b assesstest.Backend, d Deps) *env {
	t.Helper()
	e := &env{t: t, ctx: t.Context(), backend: b, clock: assesstest.NewClock(t0)}
	e.store = b.Open(t)
	d.Store, d.Now = e.store, e.clock.Now
	e.srv = httptest.NewServer(New(d))
	t.Cleanup(e.srv.Close)
	e.assessor = e.client(store.RoleAssessor, "")
	e.viewer = e.client(store.RoleViewer, "")
	return e
}

// client creates an API token with the role (bound to the assessment when given) and a client
// that uses it.
func (e *env) client(role store.Role, assessment string) *Client {
	e.t.Helper()
	secret := fmt.Sprintf("test-%s-%s-%d", role, assessment, time.Now().UnixNano())
	tok := store.Token{Hash: store.HashToken(secret), Role: role, Uses: store.Unlimited, AssessmentID: assessment, CreatedAt: e.clock.Now()}
	if err := e.store.PutToken(e.ctx, tok); err != nil {
		e.t.Fatalf("PutToken: %v", err)
	}
	return &Client{Base: e.srv.URL, Token: secret, HTTP: e.srv.Client()}
}

// do calls the API and fails the test on an error.
func (e *env) do(c *Client, method, path string, in, out any) {
	e.t.Helper()
	if err := c.JSON(e.ctx, method, path, in, out); err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
}

// refused calls the API and checks that it answers with the status and code.
func (e *env) refused(c *Client, method, path string, in any, status int, code string) {
	e.t.Helper()
	err := c.JSON(e.ctx, method, path, in, nil)
	var ae *Error
	if !errors.As(err, &ae) {
		e.t.Fatalf("%s %s = %v, want API error %d %s", method, path, err, status, code)
	}
	if ae.Status != status || ae.Code != code {
		e.t.Errorf("%s %s = %d %s (%s), want %d %s", method, path, ae.Status, ae.Code, ae.Message, status, code)
	}
	if ae.Message == "" {
		e.t.Errorf("%s %s: error without a message", method, path)
	}
}

// scopeCSV is 12 devices in three builds plus two servers tested in full.
const scopeCSV = `id,type,build,hostname,machine_id,addresses
pc-01,laptop,Windows 11 Pro 24H2,pc-01,,192.0.2.1
pc-02,laptop,Windows 11 Pro 24H2,pc-02,,
pc-03,desktop,Windows 11 Pro 24H2,pc-03,,
pc-04,laptop,Windows 11 Pro 24H2,pc-04,,
pc-05,laptop,Windows 11 Pro 24H2,pc-05,,
pc-06,laptop,Windows 11 Pro 24H2,pc-06,,
pc-07,thin_client,Windows 11 Pro 24H2,pc-07,,
mac-1,laptop,macOS 14,mac-1,,
mac-2,laptop,macOS 14,mac-2,,
deb-1,desktop,Debian 12,deb-1,m-deb-1,198.51.100.1;198.51.100.2
deb-2,desktop,Debian 12,deb-2,,
deb-3,desktop,Debian 12,deb-3,,
srv-a,server,Debian 12,srv-a,,
srv-b,server,Debian 12,srv-b,,
`

// setup creates an assessment with the CSV scope, frozen.
func (e *env) setup(id string) {
	e.t.Helper()
	e.do(e.assessor, "POST", "/api/v1/assessments", assess.CreateRequest{ID: id, Organisation: "Example Ltd",
		TestAllTypes: []string{"server"}, Snapshot: snapshotHash}, nil)
	raw, err := e.assessor.Raw(e.ctx, "POST", "/api/v1/assessments/"+id+"/scope/csv", strings.NewReader(scopeCSV), "text/csv")
	if err != nil {
		e.t.Fatalf("import scope CSV: %v", err)
	}
	if !strings.Contains(string(raw), "srv-b") {
		e.t.Fatalf("import scope CSV answered %s", raw)
	}
	e.do(e.assessor, "POST", "/api/v1/assessments/"+id+"/freeze", nil, nil)
}

// draw commits and draws sample n, checking commit-reveal, and returns its devices.
func (e *env) draw(id string, n int) []string {
	e.t.Helper()
	base := fmt.Sprintf("/api/v1/assessments/%s/samples/%d", id, n)
	var c, d SampleView
	e.do(e.assessor, "POST", base+"/commit", nil, &c)
	if c.Commitment == "" || c.Seed != "" || c.Drawn || len(c.Devices) != 0 {
		e.t.Fatalf("commit of Sample %d shows %+v: want the commitment only", n, c)
	}
	e.clock.Advance(time.Minute)
	e.do(e.assessor, "POST", base+"/draw", nil, &d)
	seed, err := hex.DecodeString(d.Seed)
	if err != nil || len(seed) != 32 {
		e.t.Fatalf("draw revealed seed %q", d.Seed)
	}
	if sum := sha256.Sum256(seed); hex.EncodeToString(sum[:]) != c.Commitment || d.Commitment != c.Commitment {
		e.t.Fatalf("revealed seed does not match the commitment %s shown before the draw", c.Commitment)
	}
	if len(d.Devices) == 0 {
		e.t.Fatalf("Sample %d drew no devices", n)
	}
	return d.Devices
}

// fixed is a date the fix was released, days before the clock's now.
func (e *env) fixed(days int) string {
	return e.clock.Now().AddDate(0, 0, -days).Format(time.DateOnly)
}

// failing is a finding that fails the device: critical, fix released 60 days ago.
func (e *env) failing(cve string) map[string]any {
	return map[string]any{"ids": []string{cve, "DSA-" + cve[4:]}, "package": "openssl", "installed": "3.0.1",
		"fixed": "3.0.2-" + cve, "severity": map[string]any{"cvss3": 9.8}, "fix_released": e.fixed(60)}
}

// results imports one test per device: findings for the listed devices, none for the others.
func (e *env) results(id string, n int, devices []string, bad map[string][]map[string]any) {
	e.t.Helper()
	var devs []map[string]any
	for _, d := range devices {
		fs := bad[d]
		if fs == nil {
			fs = []map[string]any{}
		}
		devs = append(devs, map[string]any{"device": d, "findings": fs})
	}
	e.do(e.assessor, "POST", "/api/v1/assessments/"+id+"/results", map[string]any{"sample": n, "devices": devs}, nil)
}

func (e *env) verdict(id string) assess.Verdict {
	e.t.Helper()
	var v assess.Verdict
	e.do(e.assessor, "GET", "/api/v1/assessments/"+id+"/verdict", nil, &v)
	return v
}

// wantVerdict checks the outcome and certificate, and that rules.Evaluate on the exported case
// gives the same answer.
func (e *env) wantVerdict(id string, outcome rules.Outcome, cert string) assess.Verdict {
	e.t.Helper()
	v := e.verdict(id)
	if v.Outcome != outcome || v.CECertificate != cert {
		e.t.Fatalf("verdict = %s, certificate %s (rule %s, reasons %v), want %s, %s", v.Outcome, v.CECertificate, v.Rule, v.Reasons, outcome, cert)
	}
	raw, err := e.viewer.Raw(e.ctx, "GET", "/api/v1/assessments/"+id+"/case", nil, "")
	if err != nil {
		e.t.Fatalf("export case: %v", err)
	}
	c, err := rules.DecodeCase(strings.NewReader(string(raw)))
	if err != nil {
		e.t.Fatalf("the exported case does not decode: %v\n%s", err, raw)
	}
	ans, err := rules.Evaluate(c)
	if err != nil {
		e.t.Fatal(err)
	}
	if got := ans.(rules.CEPlusVerdict); got.Outcome != v.Outcome || got.CECertificate != v.CECertificate || got.Rule != v.Rule {
		e.t.Errorf("rules on the export = %s/%s/%s, the collector says %s/%s/%s", got.Outcome, got.CECertificate, got.Rule, v.Outcome, v.CECertificate, v.Rule)
	}
	return v
}

func rawExec(t *testing.T, e *env, q string) {
	t.Helper()
	assesstest.Raw(t, e.store, q)
}
