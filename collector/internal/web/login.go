package web

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/ceplus/ceplus/collector/internal/api"
)

// loginView is the login page's data.
type loginView struct {
	Nonce   string
	Next    string
	Message string
	Info    string
}

// loginForm shows the token form. The form carries a nonce that is also set as a cookie, so
// that another site cannot log a browser in with its own token (login CSRF).
func (s *server) loginForm(w http.ResponseWriter, r *http.Request) {
	if s.sessions.get(r) != nil {
		http.Redirect(w, r, Prefix, http.StatusSeeOther)
		return
	}
	info := ""
	if r.URL.Query().Has("out") {
		info = "You are logged out."
	}
	s.renderLoginStatus(w, r, http.StatusOK, "", info)
}

func (s *server) renderLogin(w http.ResponseWriter, r *http.Request, status int, message string) {
	s.renderLoginStatus(w, r, status, message, "")
}

func (s *server) renderLoginStatus(w http.ResponseWriter, r *http.Request, status int, message, info string) {
	nonce, err := randomID()
	if err != nil {
		s.fail(w, r, nil, err)
		return
	}
	http.SetCookie(w, cookie(r, loginCookie, nonce, 3600))
	next := r.FormValue("next")
	if !safeNext(next) {
		next = ""
	}
	s.render(w, r, status, "login", &view{Title: "Log in", Data: loginView{Nonce: nonce, Next: next, Message: message, Info: info}})
}

// safeNext accepts only a path inside the UI as the page to go to after login.
func safeNext(next string) bool {
	return strings.HasPrefix(next, Prefix) && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n")
}

// login checks the pasted token with the API and starts a session.
func (s *server) login(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(loginCookie)
	nonce := r.PostFormValue("nonce")
	if err != nil || nonce == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(nonce)) != 1 {
		s.renderLogin(w, r, http.StatusForbidden, "The login form expired or came from another page: paste the token again in this form.")
		return
	}
	token := strings.TrimSpace(r.PostFormValue("token"))
	if token == "" {
		s.renderLogin(w, r, http.StatusBadRequest, "Paste an API token: an assessor creates one with 'ceplus-collector token create --role assessor|applicant|viewer'.")
		return
	}
	var me who
	if err := s.client(token).JSON(r.Context(), "GET", "/api/v1/whoami", nil, &me); err != nil {
		var ae *api.Error
		if errors.As(err, &ae) {
			s.renderLogin(w, r, ae.Status, "That token was not accepted: "+ae.Message)
			return
		}
		s.fail(w, r, nil, err)
		return
	}
	sess, err := s.sessions.create(token)
	if err != nil {
		s.fail(w, r, nil, err)
		return
	}
	http.SetCookie(w, cookie(r, loginCookie, "", -1))
	http.SetCookie(w, cookie(r, sessionCookie, sess.id, 0))
	next := r.PostFormValue("next")
	if !safeNext(next) {
		next = Prefix
		if me.Assessment != "" {
			next = "/ui/assessments/" + url.PathEscape(me.Assessment)
		}
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout ends the session.
func (s *server) logout(w http.ResponseWriter, r *http.Request, q *request) error {
	s.sessions.end(q.sess)
	http.SetCookie(w, cookie(r, sessionCookie, "", -1))
	http.Redirect(w, r, "/ui/login?out=1", http.StatusSeeOther)
	return nil
}
