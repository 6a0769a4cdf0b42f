package web

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ceplus/ceplus/collector/internal/api"
	"github.com/ceplus/ceplus/collector/internal/store"
)

// Prefix is where the UI lives; New's handler also redirects "/" there.
const Prefix = "/ui/"

// Deps are what the UI needs. API and Now are required.
type Deps struct {
	// API is the handler the server mounts at api.Prefix: the same instance, so that a scan
	// started from the UI is followed through the same process's progress.
	API http.Handler
	// Store is read for the agents page only (the API has no agents route); nil hides it.
	Store store.Store
	// Now is the clock of session expiry.
	Now func() time.Time
	// Log receives internal errors; nil discards them.
	Log *slog.Logger
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

type server struct {
	api      http.Handler
	store    store.Store
	log      *slog.Logger
	sessions *sessions
	pages    map[string]*template.Template
}

// New returns the UI handler: mount it at "/" (it answers "/" with a redirect to Prefix and
// paths outside Prefix with 404).
func New(d Deps) (http.Handler, error) {
	if d.API == nil || d.Now == nil {
		return nil, errors.New("web: Deps.API and Deps.Now are required")
	}
	log := d.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s := &server{api: d.API, store: d.Store, log: log, sessions: newSessions(d.Now), pages: pages}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Prefix, http.StatusSeeOther)
	})
	mux.Handle("GET /ui/static/", http.StripPrefix("/ui/static/", staticHandler(static)))
	mux.HandleFunc("GET /ui/login", s.loginForm)
	mux.HandleFunc("POST /ui/login", s.login)
	mux.Handle("POST /ui/logout", s.authed(s.logout))
	mux.Handle("GET /ui/{$}", s.authed(s.assessmentList))
	mux.Handle("POST /ui/assessments", s.authed(s.create))
	mux.Handle("GET /ui/assessments/{id}", s.authed(s.assessment))
	mux.Handle("POST /ui/assessments/{id}/{action}", s.authed(s.action))
	mux.Handle("GET /ui/assessments/{id}/scans/{scan}", s.authed(s.scanPage))
	mux.Handle("GET /ui/assessments/{id}/scans/{scan}/events", s.authed(s.scanEvents))
	mux.Handle("GET /ui/agents", s.authed(s.agents))
	mux.Handle("GET /ui/register", s.authed(s.registerList))
	mux.Handle("GET /ui/register/due", s.authed(s.registerDue))
	mux.Handle("GET /ui/register/export", s.authed(s.registerExportProduct))
	mux.Handle("GET /ui/register/{record}", s.authed(s.registerRecord))
	mux.Handle("GET /ui/register/{record}/export", s.authed(s.registerExportRecord))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, http.StatusNotFound, "error", &view{Title: "Not found",
			Data: errorView{Status: http.StatusNotFound, Message: fmt.Sprintf("There is no page at %s: start from the assessments list.", r.URL.Path)}})
	})
	cop := http.NewCrossOriginProtection()
	return securityHeaders(cop.Handler(mux)), nil
}

// csp allows this origin's stylesheet, script and event stream, and nothing else.
const csp = "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", csp)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		if !strings.HasPrefix(r.URL.Path, "/ui/static/") {
			hd.Set("Cache-Control", "no-store")
		}
		h.ServeHTTP(w, r)
	})
}

func staticHandler(static fs.FS) http.Handler {
	files := http.FileServerFS(static)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=3600")
		files.ServeHTTP(w, r)
	})
}

// who is the caller as the API sees its token.
type who struct {
	Role       store.Role `json:"role"`
	Assessment string     `json:"assessment"`
}

// Assessor says whether the token's role is assessor.
func (w who) Assessor() bool { return w.Role == store.RoleAssessor }

// Viewer says whether the token's role is viewer.
func (w who) Viewer() bool { return w.Role == store.RoleViewer }

// Applicant says whether the token's role is applicant.
func (w who) Applicant() bool { return w.Role == store.RoleApplicant }

// Reader says whether the role reads the history, scans and agents (assessor, viewer).
func (w who) Reader() bool { return w.Assessor() || w.Viewer() }

// Register says whether the token may use the register (it is not bound to an assessment).
func (w who) Register() bool { return w.Assessment == "" }

// request is one logged-in request: the session, an API client with its token, and who it is.
type request struct {
	sess *session
	api  *api.Client
	who  who
}

// client returns an API client that calls the API in process with token.
func (s *server) client(token string) *api.Client {
	return &api.Client{Base: "http://collector.internal", Token: token, HTTP: &http.Client{Transport: handlerTransport{s.api}}}
}

// authed wraps a page: it needs a session (else the login page), checks the CSRF token of a
// POST, and asks the API who the token is (a token revoked or expired since login ends the
// session).
func (s *server) authed(h func(w http.ResponseWriter, r *http.Request, q *request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.sessions.get(r)
		if sess == nil {
			next := ""
			if r.Method == http.MethodGet {
				next = "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			http.Redirect(w, r, "/ui/login"+next, http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost && !sess.validCSRF(r) {
			s.render(w, r, http.StatusForbidden, "error", &view{Title: "Form refused", CSRF: sess.csrf,
				Data: errorView{Status: http.StatusForbidden, Code: "csrf", Message: "The form's CSRF token is missing or does not match this session: go back, reload the page and submit it again."}})
			return
		}
		q := &request{sess: sess, api: s.client(sess.token)}
		if err := q.api.JSON(r.Context(), "GET", "/api/v1/whoami", nil, &q.who); err != nil {
			var ae *api.Error
			if errors.As(err, &ae) && ae.Status == http.StatusUnauthorized {
				s.sessions.end(sess)
				http.SetCookie(w, cookie(r, sessionCookie, "", -1))
				s.renderLogin(w, r, http.StatusUnauthorized, "Your session ended: "+ae.Message)
				return
			}
			s.fail(w, r, q, err)
			return
		}
		if err := h(w, r, q); err != nil {
			s.fail(w, r, q, err)
		}
	})
}

// view is what every page template gets.
type view struct {
	Title string
	Who   *who
	CSRF  string
	Flash *flash
	// Nav names the navigation entry of the page.
	Nav  string
	Data any
}

// errorView is the error page's data.
type errorView struct {
	Status  int
	Code    string
	Message string
	Back    string
}

// page returns the view of a logged-in page, taking the session's flash message.
func (s *server) page(q *request, title, nav string, data any) *view {
	return &view{Title: title, Who: &q.who, CSRF: q.sess.csrf, Flash: s.sessions.takeFlash(q.sess), Nav: nav, Data: data}
}

// fail shows err: an API error with its status, code and message; anything else as internal.
func (s *server) fail(w http.ResponseWriter, r *http.Request, q *request, err error) {
	ev := errorView{Status: http.StatusInternalServerError, Message: err.Error(), Back: r.Header.Get("Referer")}
	var ae *api.Error
	switch {
	case errors.As(err, &ae):
		ev.Status, ev.Code, ev.Message = ae.Status, ae.Code, ae.Message
	case errors.Is(err, context.Canceled):
		return
	default:
		s.log.Error("web UI request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		ev.Message += " (the collector's log has details; retry, and report it if it persists)"
	}
	if id := r.PathValue("id"); id != "" && r.Method == http.MethodPost {
		ev.Back = "/ui/assessments/" + url.PathEscape(id)
	}
	v := &view{Title: fmt.Sprintf("Error %d", ev.Status), Data: ev}
	if q != nil {
		v.Who, v.CSRF = &q.who, q.sess.csrf
	}
	s.render(w, r, ev.Status, "error", v)
}

// render executes a page template into a buffer, then writes it with the status.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name string, v *view) {
	t := s.pages[name]
	var buf bytes.Buffer
	if t == nil {
		s.log.Error("web UI: no template", "name", name)
		http.Error(w, "the page template "+name+" is missing: report this bug", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.log.Error("web UI: render", "page", name, "path", r.URL.Path, "err", err)
		http.Error(w, "the page could not be rendered: "+err.Error()+" (report this bug)", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes()) // the browser went away: no one is left to tell
}

// redirect sends the browser to path after a POST, with a message for the next page.
func (s *server) redirect(w http.ResponseWriter, r *http.Request, q *request, path string, f flash) {
	s.sessions.setFlash(q.sess, f)
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// proxy serves the API route at path with the browser's own response writer and the session's
// token: for streams (server-sent events) and documents (register exports).
func (s *server) proxy(w http.ResponseWriter, r *http.Request, q *request, path string) {
	in := r.Clone(r.Context())
	u, err := url.Parse(path)
	if err != nil {
		s.fail(w, r, q, fmt.Errorf("proxy %s: %w", path, err))
		return
	}
	in.URL.Path, in.URL.RawPath, in.URL.RawQuery = u.Path, u.RawPath, u.RawQuery
	in.RequestURI = in.URL.RequestURI()
	in.Header = in.Header.Clone()
	in.Header.Del("Cookie")
	in.Header.Set("Authorization", "Bearer "+q.sess.token)
	s.api.ServeHTTP(w, in)
}
