package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/ceplus/ceplus/collector/internal/assess"
	"github.com/ceplus/ceplus/collector/internal/register"
	"github.com/ceplus/ceplus/collector/internal/store"
)

// Prefix is where the API lives; a server mounts New's handler there.
const Prefix = "/api/v1/"

// Deps are what the API needs. Store and Now are required.
type Deps struct {
	Store store.Store
	// Now is the clock: token expiry, event times and verdicts use it.
	Now func() time.Time
	// Scanner, Matchers and Rand are passed to assess.New (see assess.Deps).
	Scanner  assess.Scanner
	Matchers assess.Matchers
	Rand     io.Reader
	// Log receives internal errors; nil discards them.
	Log *slog.Logger
	// Service, when set, is the assessment service to use (the collector shares one with its
	// ingest); Scanner, Matchers and Rand are then ignored.
	Service *assess.Service
	// Discovery runs network discovery (discovery.go); nil serves the stored runs but refuses
	// new ones.
	Discovery *assess.Discovery
}

// maxBody bounds request bodies: a scope CSV of 100,000 devices is about 10 MB.
const maxBody = 64 << 20

type server struct {
	store store.Store
	now   func() time.Time
	svc   *assess.Service
	disc  *assess.Discovery
	reg   *register.Register
	log   *slog.Logger
}

// New returns the API handler for paths under Prefix.
func New(d Deps) http.Handler {
	h, _ := newServer(d)
	return h
}

func newServer(d Deps) (http.Handler, *server) {
	log := d.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	svc := d.Service
	if svc == nil {
		svc = assess.New(assess.Deps{Store: d.Store, Now: d.Now, Rand: d.Rand, Scanner: d.Scanner, Matchers: d.Matchers})
	}
	disc := d.Discovery
	if disc == nil {
		disc = assess.NewDiscovery(svc, assess.DiscoveryDeps{})
	}
	s := &server{store: d.Store, now: d.Now, log: log, svc: svc, disc: disc, reg: register.New(d.Store)}
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.method+" "+rt.path, s.wrap(rt))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no_such_route", fmt.Sprintf("%s %s is not an API route: see /api/v1/openapi.json", r.Method, r.URL.Path))
	})
	return mux, s
}

// principal is who calls: the token's role and the assessment it is bound to ("" for all).
type principal struct {
	Role       store.Role
	Assessment string
}

// route is one API operation; the mux and the OpenAPI document are both made from the table.
type route struct {
	method, path string
	summary      string
	// roles may call the route; nil means no authentication (the OpenAPI document).
	roles []store.Role
	// body names the request body's media type ("" for none) and schema description.
	body, bodyDoc string
	// status is the success status (200 when zero).
	status int
	handle func(r *http.Request, who principal) (any, error)
	// stream, when set, writes the response itself (server-sent events).
	stream func(w http.ResponseWriter, r *http.Request, who principal) error
}

// apiError is an error with an HTTP status and a stable code.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.message }

func errorf(status int, code, format string, args ...any) error {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

func (s *server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		var who principal
		if rt.roles != nil {
			var err error
			if who, err = s.authenticate(r, rt); err != nil {
				s.fail(w, r, err)
				return
			}
		}
		if rt.stream != nil {
			if err := rt.stream(w, r, who); err != nil {
				s.fail(w, r, err)
			}
			return
		}
		v, err := rt.handle(r, who)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		status := rt.status
		if status == 0 {
			status = http.StatusOK
		}
		writeJSON(w, status, v)
	})
}

// authenticate checks the bearer token, the route's roles and the token's assessment binding.
func (s *server) authenticate(r *http.Request, rt route) (principal, error) {
	h := r.Header.Get("Authorization")
	secret, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(secret) == "" {
		return principal{}, errorf(http.StatusUnauthorized, "unauthenticated", "send 'Authorization: Bearer TOKEN'; an assessor creates tokens with 'ceplus-collector token create --role assessor|applicant|viewer'")
	}
	t, err := s.store.ConsumeToken(r.Context(), store.HashToken(strings.TrimSpace(secret)), s.now())
	switch {
	case errors.Is(err, store.ErrTokenUnknown):
		return principal{}, errorf(http.StatusUnauthorized, "token_unknown", "the token is not known to this collector: check it, or ask for a new one")
	case errors.Is(err, store.ErrTokenExpired):
		return principal{}, errorf(http.StatusUnauthorized, "token_expired", "%v", err)
	case errors.Is(err, store.ErrTokenRevoked):
		return principal{}, errorf(http.StatusUnauthorized, "token_revoked", "%v", err)
	case errors.Is(err, store.ErrTokenExhausted):
		return principal{}, errorf(http.StatusUnauthorized, "token_exhausted", "%v", err)
	case err != nil:
		return principal{}, fmt.Errorf("check token: %w", err)
	}
	who := principal{Role: t.Role, Assessment: t.AssessmentID}
	if t.Role == store.RoleEnrol {
		return who, errorf(http.StatusForbidden, "enrolment_token", "this is an enrolment token for agents: the API needs an assessor, applicant or viewer token")
	}
	allowed := false
	for _, role := range rt.roles {
		allowed = allowed || role == t.Role
	}
	if !allowed {
		return who, errorf(http.StatusForbidden, "forbidden_role", "%s token cannot %s: this needs a token with role %s", article(string(t.Role)), strings.ToLower(rt.summary), roleList(rt.roles))
	}
	if id := r.PathValue("id"); id != "" && who.Assessment != "" && id != who.Assessment {
		return who, errorf(http.StatusForbidden, "other_assessment", "this token is bound to assessment %s and cannot read or change assessment %s", who.Assessment, id)
	}
	return who, nil
}

func roleList(rs []store.Role) string {
	var out []string
	for _, r := range rs {
		out = append(out, string(r))
	}
	return strings.Join(out, " or ")
}

// fail writes err as a JSON error: workflow errors keep their code, anything else is internal.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	var we *assess.Error
	var mb *http.MaxBytesError
	switch {
	case errors.As(err, &ae):
		writeError(w, ae.status, ae.code, ae.message)
	case errors.As(err, &we):
		status := http.StatusInternalServerError
		switch {
		case errors.Is(we.Kind, assess.ErrInvalid):
			status = http.StatusBadRequest
		case errors.Is(we.Kind, assess.ErrNotFound):
			status = http.StatusNotFound
		case errors.Is(we.Kind, assess.ErrConflict):
			status = http.StatusConflict
		case errors.Is(we.Kind, assess.ErrUnavailable):
			status = http.StatusServiceUnavailable
		}
		writeError(w, status, we.Code, we.Message)
	case errors.As(err, &mb):
		writeError(w, http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the request body is over %d bytes: split the import", mb.Limit))
	case errors.Is(err, context.Canceled):
		s.log.Info("request cancelled", "method", r.Method, "path", r.URL.Path)
	default:
		s.log.Error("API request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, "internal", err.Error()+" (the collector's log has details; retry, and report it if it persists)")
	}
}

// ErrorBody is the JSON of every error answer.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is an error's stable code and a message saying what to do.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, ErrorBody{Error: ErrorDetail{Code: code, Message: msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // the client went away: there is no one left to tell
}

// decode reads a JSON request body into v, refusing unknown fields.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return err
		}
		if errors.Is(err, io.EOF) {
			return errorf(http.StatusBadRequest, "invalid_json", "the request body is empty: send a JSON object (see /api/v1/openapi.json)")
		}
		return errorf(http.StatusBadRequest, "invalid_json", "the request body is not the expected JSON: %v", err)
	}
	return nil
}

// article returns word with its indefinite article: "an assessor", "a viewer".
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an " + word
	}
	return "a " + word
}
