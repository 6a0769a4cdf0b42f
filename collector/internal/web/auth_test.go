package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/api"
	"github.com/ceplus/ceplus/collector/internal/store"
)

func TestLogin(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name   string
		token  string
		nonce  bool
		status int
		want   []string
	}{
		{"unknown token", "made-up-token", true, http.StatusUnauthorized, []string{"That token was not accepted", "not known to this collector"}},
		{"empty token", "  ", true, http.StatusBadRequest, []string{"Paste an API token"}},
		{"enrolment token", e.token(store.RoleEnrol, ""), true, http.StatusForbidden, []string{"That token was not accepted", "enrolment token"}},
		{"no nonce", e.token(store.RoleViewer, ""), false, http.StatusForbidden, []string{"login form expired"}},
		{"viewer", e.token(store.RoleViewer, ""), true, http.StatusSeeOther, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := e.browser()
			b.get("/ui/login")
			form := url.Values{"token": {tt.token}}
			if tt.nonce {
				form.Set("nonce", b.field(nonceField))
			}
			p := b.post("/ui/login", form)
			must(t, tt.name, p, tt.status, tt.want, []string{tt.token + "\""})
			if tt.status != http.StatusSeeOther {
				if p := b.get("/ui/"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/ui/login") {
					t.Errorf("after a refused login GET /ui/ = %d %s, want a redirect to the login page", p.status, p.location)
				}
				return
			}
			var sc *http.Cookie
			for _, c := range (&http.Response{Header: p.header}).Cookies() {
				if c.Name == sessionCookie {
					sc = c
				}
			}
			if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteStrictMode || sc.Secure || sc.Path != "/ui/" {
				t.Fatalf("session cookie = %+v, want HttpOnly, SameSite=Strict, not Secure over plain HTTP, path /ui/", sc)
			}
			if strings.Contains(sc.Value, tt.token) || len(sc.Value) < 40 {
				t.Errorf("session cookie %q: want a random session id, not the token", sc.Value)
			}
			must(t, "list after login", b.get("/ui/"), http.StatusOK, []string{"Assessments", "Role <strong>viewer</strong>"}, nil)
			p = b.post("/ui/logout", url.Values{"csrf": {b.field(csrfField)}})
			if p.status != http.StatusSeeOther || p.location != "/ui/login?out=1" {
				t.Fatalf("logout = %d %s", p.status, p.location)
			}
			if p := b.get("/ui/"); p.status != http.StatusSeeOther {
				t.Errorf("after logout GET /ui/ = %d, want a redirect to the login page", p.status)
			}
		})
	}
}

func TestLoginNextAndRedirects(t *testing.T) {
	e := newEnv(t)
	e.setup("asm-a")
	b := e.browser()
	if p := b.get("/"); p.status != http.StatusSeeOther || p.location != "/ui/" {
		t.Errorf("GET / = %d %s, want a redirect to /ui/", p.status, p.location)
	}
	p := b.get("/ui/assessments/asm-a")
	if p.status != http.StatusSeeOther || p.location != "/ui/login?next=%2Fui%2Fassessments%2Fasm-a" {
		t.Fatalf("GET an assessment without a session = %d %s", p.status, p.location)
	}
	b.get(p.location)
	p = b.post("/ui/login", url.Values{"nonce": {b.field(nonceField)}, "token": {e.token(store.RoleAssessor, "")}, "next": {b.field(nextField)}})
	if p.status != http.StatusSeeOther || p.location != "/ui/assessments/asm-a" {
		t.Errorf("login with next = %d %s, want the assessment", p.status, p.location)
	}
	b = e.browser()
	b.get("/ui/login")
	p = b.post("/ui/login", url.Values{"nonce": {b.field(nonceField)}, "token": {e.token(store.RoleViewer, "")}, "next": {"//evil.example/ui/"}})
	if p.location != "/ui/" {
		t.Errorf("login with an off-site next went to %q", p.location)
	}
	ap := e.browser()
	if p := ap.login(e.token(store.RoleApplicant, "asm-a")); p.location != "/ui/assessments/asm-a" {
		t.Errorf("an applicant's login went to %q, want its assessment", p.location)
	}
	must(t, "no such page", b.get("/ui/nothing-here"), http.StatusNotFound, []string{"There is no page at /ui/nothing-here"}, nil)
}

func TestCSRF(t *testing.T) {
	e := newEnv(t)
	e.do("POST", "/api/v1/assessments", map[string]any{"id": "asm-c", "organisation": "Example Ltd", "snapshot": snapshotHash}, nil)
	if _, err := e.assessor.Raw(e.ctx, "POST", "/api/v1/assessments/asm-c/scope/csv", strings.NewReader(scopeCSV), "text/csv"); err != nil {
		t.Fatal(err)
	}
	b := e.as(store.RoleAssessor, "")
	b.get("/ui/assessments/asm-c")
	good := b.field(csrfField)
	other := e.as(store.RoleAssessor, "")
	other.get("/ui/")
	frozen := func() bool {
		var v api.AssessmentView
		e.do("GET", "/api/v1/assessments/asm-c", nil, &v)
		return v.Scope.Frozen != nil
	}
	for _, tt := range []struct {
		name string
		form url.Values
	}{
		{"missing", url.Values{}},
		{"empty", url.Values{"csrf": {""}}},
		{"another session's", url.Values{"csrf": {other.field(csrfField)}}},
		{"wrong", url.Values{"csrf": {good + "x"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			must(t, "freeze", b.post("/ui/assessments/asm-c/freeze", tt.form), http.StatusForbidden, []string{"CSRF token is missing or does not match"}, nil)
			if frozen() {
				t.Fatal("the scope was frozen by a POST without the session's CSRF token")
			}
		})
	}
	must(t, "logout without CSRF", b.post("/ui/logout", url.Values{}), http.StatusForbidden, []string{"CSRF"}, nil)
	p := b.post("/ui/assessments/asm-c/freeze", url.Values{"csrf": {good}})
	if p.status != http.StatusSeeOther || !frozen() {
		t.Fatalf("freeze with the CSRF token = %d, frozen %t", p.status, frozen())
	}
	must(t, "after freeze", b.get(p.location), http.StatusOK, []string{"Scope frozen: 11 devices, scope hash"}, nil)
}

func TestRevokedTokenEndsSession(t *testing.T) {
	e := newEnv(t)
	secret := e.token(store.RoleViewer, "")
	b := e.browser()
	if p := b.login(secret); p.status != http.StatusSeeOther {
		t.Fatal(p.body)
	}
	if err := e.store.RevokeToken(e.ctx, store.HashToken(secret), e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	must(t, "after revocation", b.get("/ui/"), http.StatusUnauthorized, []string{"Your session ended", "revoked"}, nil)
	if p := b.get("/ui/"); p.status != http.StatusSeeOther {
		t.Errorf("the session outlived its revoked token: %d", p.status)
	}
}

func TestSessionExpires(t *testing.T) {
	e := newEnv(t)
	b := e.as(store.RoleViewer, "")
	for i := 0; i < 3; i++ { // each request within the idle time keeps the session
		e.clock.Advance(sessionIdle - time.Minute)
		must(t, "within the idle time", b.get("/ui/"), http.StatusOK, []string{"Role <strong>viewer</strong>"}, nil)
	}
	e.clock.Advance(sessionIdle + time.Second)
	if p := b.get("/ui/"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/ui/login") {
		t.Errorf("after %s idle GET /ui/ = %d %s, want the login page", sessionIdle, p.status, p.location)
	}
	b = e.as(store.RoleViewer, "")
	start := e.clock.Now()
	for e.clock.Advance(sessionIdle / 2); ; e.clock.Advance(sessionIdle / 2) {
		p := b.get("/ui/")
		if p.status == http.StatusSeeOther {
			break
		}
		if p.status != http.StatusOK {
			t.Fatalf("GET /ui/ = %d", p.status)
		}
		if e.clock.Now().Sub(start) > sessionMax {
			t.Fatalf("the session outlived its maximum %s", sessionMax)
		}
	}
}
