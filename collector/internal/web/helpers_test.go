package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/api"
	"github.com/ceplus/ceplus/collector/internal/assess"
	"github.com/ceplus/ceplus/collector/internal/assess/assesstest"
	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/collector/internal/store/sqlite"
	"github.com/ceplus/ceplus/shared/identity"
)

// t0 is a Monday morning in London.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const snapshotHash = "5e2f5e2f5e2f5e2f5e2f5e2f5e2f5e2f5e2f5e2f5e2f5e2f5e2f5e2f5e2f5e2f"

// env is the API and the UI on one test server, over a fresh SQLite store with a fake clock,
// mounted as serve mounts them.
type env struct {
	t     *testing.T
	ctx   context.Context
	store store.Store
	clock *assesstest.Clock
	srv   *httptest.Server
	// assessor calls the API directly, to set the scene.
	assessor *api.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, ctx: t.Context(), clock: assesstest.NewClock(t0)}
	st, err := sqlite.Open(e.ctx, filepath.Join(t.TempDir(), sqlite.FileName))
	if err != nil {
		t.Fatalf("open SQLite store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	e.store = st
	apiH := api.New(api.Deps{Store: st, Now: e.clock.Now,
		Scanner: assess.ScannerFunc(func(ctx context.Context, _ identity.AgentID) (string, error) {
			return "", fmt.Errorf("no agents in this test")
		})})
	ui, err := New(Deps{API: apiH, Store: st, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(api.Prefix, apiH)
	mux.Handle("/", ui)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	e.assessor = &api.Client{Base: e.srv.URL, Token: e.token(store.RoleAssessor, ""), HTTP: e.srv.Client()}
	return e
}

// token creates an API token with the role (bound to the assessment when given).
func (e *env) token(role store.Role, assessment string) string {
	e.t.Helper()
	secret := fmt.Sprintf("test-%s-%s-%d", role, assessment, time.Now().UnixNano())
	tok := store.Token{Hash: store.HashToken(secret), Role: role, Uses: store.Unlimited, AssessmentID: assessment, CreatedAt: e.clock.Now()}
	if err := e.store.PutToken(e.ctx, tok); err != nil {
		e.t.Fatalf("PutToken: %v", err)
	}
	return secret
}

// do calls the API as the assessor and fails the test on an error.
func (e *env) do(method, path string, in, out any) {
	e.t.Helper()
	if err := e.assessor.JSON(e.ctx, method, path, in, out); err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
}

const scopeCSV = `id,type,build,hostname
pc-01,laptop,Windows 11 Pro 24H2,pc-01
pc-02,laptop,Windows 11 Pro 24H2,pc-02
pc-03,desktop,Windows 11 Pro 24H2,pc-03
pc-04,laptop,Windows 11 Pro 24H2,pc-04
pc-05,laptop,Windows 11 Pro 24H2,pc-05
pc-06,laptop,Windows 11 Pro 24H2,pc-06
pc-07,laptop,Windows 11 Pro 24H2,pc-07
deb-1,desktop,Debian 12,deb-1
deb-2,desktop,Debian 12,deb-2
deb-3,desktop,Debian 12,deb-3
deb-4,desktop,Debian 12,deb-4
`

// setup creates an assessment with the CSV scope, frozen.
func (e *env) setup(id string) {
	e.t.Helper()
	e.do("POST", "/api/v1/assessments", assess.CreateRequest{ID: id, Organisation: "Example Ltd", Title: "Review of " + id, Snapshot: snapshotHash}, nil)
	if _, err := e.assessor.Raw(e.ctx, "POST", "/api/v1/assessments/"+id+"/scope/csv", strings.NewReader(scopeCSV), "text/csv"); err != nil {
		e.t.Fatalf("import scope: %v", err)
	}
	e.do("POST", "/api/v1/assessments/"+id+"/freeze", nil, nil)
}

// draw draws sample n and returns it.
func (e *env) draw(id string, n int) api.SampleView {
	e.t.Helper()
	var sv api.SampleView
	e.do("POST", fmt.Sprintf("/api/v1/assessments/%s/samples/%d/draw", id, n), nil, &sv)
	return sv
}

// test imports a test of every device: bad ones get a failing finding.
func (e *env) test(id string, n int, devices []string, bad string) {
	e.t.Helper()
	var devs []map[string]any
	for _, d := range devices {
		fs := []map[string]any{}
		if d == bad {
			fs = append(fs, map[string]any{"ids": []string{"CVE-2026-1000", "DSA-2026-1000"}, "package": "openssl", "installed": "3.0.1",
				"fixed": "3.0.2", "severity": map[string]any{"cvss3": 9.8}, "fix_released": e.clock.Now().AddDate(0, 0, -60).Format(time.DateOnly)})
		}
		devs = append(devs, map[string]any{"device": d, "findings": fs})
	}
	e.do("POST", "/api/v1/assessments/"+id+"/results", map[string]any{"sample": n, "devices": devs}, nil)
}

// browser is a person's browser: it keeps cookies and does not follow redirects by itself.
type browser struct {
	e    *env
	c    *http.Client
	last string
}

func (e *env) browser() *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return &browser{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is one answer the browser got.
type page struct {
	status   int
	body     string
	location string
	header   http.Header
}

func (b *browser) send(req *http.Request) page {
	b.e.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.e.t.Fatalf("%s %s: read: %v", req.Method, req.URL, err)
	}
	p := page{status: resp.StatusCode, body: string(body), location: resp.Header.Get("Location"), header: resp.Header}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		b.last = p.body
	}
	return p
}

func (b *browser) get(path string) page {
	b.e.t.Helper()
	req, err := http.NewRequestWithContext(b.e.ctx, "GET", b.e.srv.URL+path, nil)
	if err != nil {
		b.e.t.Fatal(err)
	}
	return b.send(req)
}

func (b *browser) post(path string, form url.Values) page {
	b.e.t.Helper()
	req, err := http.NewRequestWithContext(b.e.ctx, "POST", b.e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.send(req)
}

var (
	csrfField  = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	nonceField = regexp.MustCompile(`name="nonce" value="([^"]+)"`)
	nextField  = regexp.MustCompile(`name="next" value="([^"]+)"`)
)

// field returns a hidden field's value from the last HTML page.
func (b *browser) field(re *regexp.Regexp) string {
	b.e.t.Helper()
	m := re.FindStringSubmatch(b.last)
	if m == nil {
		b.e.t.Fatalf("the last page has no field %s:\n%s", re, b.last)
	}
	return m[1]
}

// login logs in with the token through the form, as a person would.
func (b *browser) login(token string) page {
	b.e.t.Helper()
	if p := b.get("/ui/login"); p.status != http.StatusOK {
		b.e.t.Fatalf("GET /ui/login = %d", p.status)
	}
	return b.post("/ui/login", url.Values{"nonce": {b.field(nonceField)}, "token": {token}})
}

// as returns a browser logged in with a new token of the role.
func (e *env) as(role store.Role, assessment string) *browser {
	e.t.Helper()
	b := e.browser()
	if p := b.login(e.token(role, assessment)); p.status != http.StatusSeeOther {
		e.t.Fatalf("login as %s = %d, want 303:\n%s", role, p.status, p.body)
	}
	return b
}

// action posts a form of the assessment page with the session's CSRF token.
func (b *browser) action(id, action string, form url.Values) page {
	b.e.t.Helper()
	b.get("/ui/assessments/" + id)
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", b.field(csrfField))
	return b.post("/ui/assessments/"+id+"/"+action, form)
}

// must checks a page's status and that it contains every string of want and none of avoid.
func must(t *testing.T, name string, p page, status int, want, avoid []string) {
	t.Helper()
	if p.status != status {
		t.Errorf("%s: status %d, want %d\n%s", name, p.status, status, p.body)
		return
	}
	for _, w := range want {
		if !strings.Contains(p.body, w) {
			t.Errorf("%s: the page lacks %q", name, w)
		}
	}
	for _, a := range avoid {
		if strings.Contains(p.body, a) {
			t.Errorf("%s: the page shows %q", name, a)
		}
	}
}
