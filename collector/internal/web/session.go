package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Cookie names: the session id, and the login form's nonce before there is a session.
const (
	sessionCookie = "ceplus_session"
	loginCookie   = "ceplus_login"
)

// Session limits: a session ends after sessionIdle without a request or sessionMax after login,
// and at most maxSessions are kept (the oldest goes first).
const (
	sessionIdle = 12 * time.Hour
	sessionMax  = 7 * 24 * time.Hour
	maxSessions = 10000
)

// session is one logged-in browser. The API token stays here, in memory; the browser holds only
// the session id.
type session struct {
	id    string
	token string
	csrf  string
	start time.Time
	seen  time.Time
	// flash is the message shown on the next page (after a POST redirects).
	flash *flash
}

// flash is a one-time message: OK is a success, otherwise an error.
type flash struct {
	OK   bool
	Text string
}

// sessions keeps the sessions of this collector process; they end when it restarts.
type sessions struct {
	mu  sync.Mutex
	m   map[string]*session
	now func() time.Time
}

func newSessions(now func() time.Time) *sessions {
	return &sessions{m: map[string]*session{}, now: now}
}

// randomID returns 32 random bytes, base64url-encoded.
func randomID() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate a session id: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// create starts a session for token.
func (ss *sessions) create(token string) (*session, error) {
	id, err := randomID()
	if err != nil {
		return nil, err
	}
	csrf, err := randomID()
	if err != nil {
		return nil, err
	}
	now := ss.now()
	s := &session{id: id, token: token, csrf: csrf, start: now, seen: now}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.expireLocked(now)
	for len(ss.m) >= maxSessions {
		var oldest *session
		for _, o := range ss.m {
			if oldest == nil || o.seen.Before(oldest.seen) {
				oldest = o
			}
		}
		delete(ss.m, oldest.id)
	}
	ss.m[id] = s
	return s, nil
}

func (ss *sessions) expireLocked(now time.Time) {
	for id, s := range ss.m {
		if s.expired(now) {
			delete(ss.m, id)
		}
	}
}

func (s *session) expired(now time.Time) bool {
	return now.Sub(s.seen) > sessionIdle || now.Sub(s.start) > sessionMax
}

// get returns the live session of the request's cookie, or nil.
func (ss *sessions) get(r *http.Request) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	now := ss.now()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s := ss.m[c.Value]
	if s == nil {
		return nil
	}
	if s.expired(now) {
		delete(ss.m, s.id)
		return nil
	}
	s.seen = now
	return s
}

// end forgets a session.
func (ss *sessions) end(s *session) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.m, s.id)
}

// setFlash stores the message for the session's next page.
func (ss *sessions) setFlash(s *session, f flash) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s.flash = &f
}

// takeFlash returns and clears the session's message.
func (ss *sessions) takeFlash(s *session) *flash {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	f := s.flash
	s.flash = nil
	return f
}

// validCSRF reports whether the form's csrf field is the session's token.
func (s *session) validCSRF(r *http.Request) bool {
	got := r.PostFormValue("csrf")
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.csrf)) == 1
}

// cookie returns a UI cookie: HttpOnly, SameSite=Strict, Secure when the request came over TLS.
func cookie(r *http.Request, name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/ui/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil}
}
