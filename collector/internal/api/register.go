package api

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ceplus/ceplus/collector/internal/register"
	"github.com/ceplus/ceplus/collector/internal/store"
)

// Register roles: every API role reads the register; a viewer cannot edit; only an assessor
// deletes a record whose retention has ended.
var (
	registerEditors = []store.Role{store.RoleAssessor, store.RoleApplicant}
	registerDelete  = []store.Role{store.RoleAssessor}
)

// registerRoutes are the vulnerability-handling register's operations (docs/register.md).
func (s *server) registerRoutes() []route {
	const r = "/api/v1/register"
	const rec = r + "/{record}"
	return []route{
		{method: "GET", path: r, summary: "List register records", roles: anyRole, handle: s.registerList},
		{method: "POST", path: r, summary: "Record a potential vulnerability", roles: registerEditors, status: http.StatusCreated,
			body: "application/json", bodyDoc: "{who, record: {product, version, certificate_id, scheme: eucc|eiot, ava_van | eiot_level, source, summary, received, composite?, vulnerability_ids?, tlp?, exploitation_details?, timezone?, holidays?, id?}}",
			handle: s.registerCreate},
		{method: "GET", path: r + "/due", summary: "List register deadlines due or late", roles: anyRole, handle: s.registerDue},
		{method: "GET", path: r + "/export", summary: "Export a product's register records", roles: anyRole, stream: s.registerExportProduct},
		{method: "GET", path: rec, summary: "Show a register record with its deadlines", roles: anyRole, handle: s.registerShow},
		{method: "POST", path: rec + "/changes", summary: "Change a register record", roles: registerEditors,
			body: "application/json", bodyDoc: "{kind: analyse|exit|update|eucc|extension_request|extension_answer|triage|decline_fix|done|report|close, who, note?, …the kind's fields (docs/register.md)}",
			handle: s.registerChange},
		{method: "GET", path: rec + "/case", summary: "Export a register record's rules contract v1 cases", roles: anyRole, handle: s.registerCase},
		{method: "GET", path: rec + "/export", summary: "Export a register record", roles: anyRole, stream: s.registerExportRecord},
		{method: "DELETE", path: rec, summary: "Delete a register record after its retention period", roles: registerDelete,
			body: "application/json", bodyDoc: "{who, reason}", handle: s.registerDelete},
	}
}

// registerBound refuses tokens bound to an assessment: the register is not part of one.
func registerBound(who principal) error {
	if who.Assessment != "" {
		return errorf(http.StatusForbidden, "other_assessment", "this token is bound to assessment %s and cannot use the vulnerability register: use an unbound token", who.Assessment)
	}
	return nil
}

// registerFail turns a register error into an API error.
func registerFail(err error) error {
	var re *register.RetentionError
	switch {
	case errors.As(err, &re):
		return errorf(http.StatusConflict, "retention", "%v", err)
	case errors.Is(err, register.ErrNotRecord):
		return errorf(http.StatusNotFound, "no_such_record", "%v", err)
	case errors.Is(err, register.ErrInvalid):
		return errorf(http.StatusBadRequest, "invalid_register_input", "%v", err)
	case errors.Is(err, store.ErrExists):
		return errorf(http.StatusConflict, "exists", "%v", err)
	}
	return err
}

func (s *server) registerList(r *http.Request, who principal) (any, error) {
	if err := registerBound(who); err != nil {
		return nil, err
	}
	q := r.URL.Query()
	f := register.Filter{Product: q.Get("product"), Version: q.Get("version"), Scheme: register.Scheme(q.Get("scheme")), OpenOnly: q.Get("open") == "true"}
	recs, err := s.reg.List(r.Context(), f, s.now())
	for i := range recs {
		recs[i] = readableBy(who, recs[i])
	}
	return recs, registerFail(err)
}

// readableBy returns rec as who may read it. A viewer token is not taken to be part of the
// limited distribution of RULES.md §2 (certification body, national authority, evaluation
// facility, holder), so the means of exploitation are removed from what it reads, as they are
// from exports beyond that distribution.
func readableBy(who principal, rec register.Record) register.Record {
	if who.Role != store.RoleViewer {
		return rec
	}
	rec.ExploitationDetails = ""
	rec.References = append([]register.Reference(nil), rec.References...)
	for i := range rec.References {
		rec.References[i].ExploitationDetails = ""
	}
	return rec
}

// RegisterCreateRequest is the body of POST /register.
type RegisterCreateRequest struct {
	Who    string             `json:"who"`
	Record register.NewRecord `json:"record"`
}

func (s *server) registerCreate(r *http.Request, who principal) (any, error) {
	if err := registerBound(who); err != nil {
		return nil, err
	}
	var req RegisterCreateRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	rec, err := s.reg.Create(r.Context(), req.Record, req.Who, s.now())
	return rec, registerFail(err)
}

func (s *server) registerShow(r *http.Request, who principal) (any, error) {
	if err := registerBound(who); err != nil {
		return nil, err
	}
	rec, err := s.reg.Get(r.Context(), r.PathValue("record"), s.now())
	return readableBy(who, rec), registerFail(err)
}

func (s *server) registerChange(r *http.Request, who principal) (any, error) {
	if err := registerBound(who); err != nil {
		return nil, err
	}
	var c register.Change
	if err := decode(r, &c); err != nil {
		return nil, err
	}
	if c.DeadlinesAfter != nil {
		return nil, errorf(http.StatusBadRequest, "invalid_register_input", "deadlines_after is set by the collector from the rules engine: leave it out")
	}
	rec, err := s.reg.Apply(r.Context(), r.PathValue("record"), c, s.now())
	return rec, registerFail(err)
}

func (s *server) registerCase(r *http.Request, who principal) (any, error) {
	if err := registerBound(who); err != nil {
		return nil, err
	}
	now := s.now()
	rec, err := s.reg.Get(r.Context(), r.PathValue("record"), now)
	if err != nil {
		return nil, registerFail(err)
	}
	cases, err := rec.ContractCases(now)
	return cases, registerFail(err)
}

// RegisterDeleteRequest is the body of DELETE /register/{record}.
type RegisterDeleteRequest struct {
	Who    string `json:"who"`
	Reason string `json:"reason"`
}

// RegisterErasure is the answer of a deletion: the tombstone the store keeps.
type RegisterErasure struct {
	ID            string    `json:"id"`
	At            time.Time `json:"at"`
	By            string    `json:"by"`
	Reason        string    `json:"reason"`
	RetainedUntil time.Time `json:"retained_until"`
	Events        int64     `json:"events"`
	LastHash      string    `json:"last_hash"`
}

func (s *server) registerDelete(r *http.Request, who principal) (any, error) {
	if err := registerBound(who); err != nil {
		return nil, err
	}
	var req RegisterDeleteRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	e, err := s.reg.Delete(r.Context(), r.PathValue("record"), req.Who, req.Reason, s.now())
	if err != nil {
		return nil, registerFail(err)
	}
	return RegisterErasure{ID: e.ID, At: e.At, By: e.By, Reason: e.Reason, RetainedUntil: e.RetainedUntil, Events: e.Events, LastHash: e.LastHash}, nil
}

// RegisterDue is the answer of GET /register/due.
type RegisterDue struct {
	Now    time.Time          `json:"now"`
	Within string             `json:"within"`
	Items  []register.DueItem `json:"items"`
}

func (s *server) registerDue(r *http.Request, who principal) (any, error) {
	if err := registerBound(who); err != nil {
		return nil, err
	}
	within := r.URL.Query().Get("within")
	if within == "" {
		within = "14d"
	}
	d, err := register.ParseWithin(within)
	if err != nil {
		return nil, registerFail(err)
	}
	now := s.now()
	items, err := s.reg.Due(r.Context(), d, now)
	if err != nil {
		return nil, registerFail(err)
	}
	return RegisterDue{Now: now.UTC(), Within: within, Items: items}, nil
}

func (s *server) registerExportRecord(w http.ResponseWriter, r *http.Request, who principal) error {
	return s.registerExport(w, r, who, func(o register.ExportOptions, now time.Time) (register.Export, error) {
		return s.reg.ExportRecord(r.Context(), r.PathValue("record"), o, now)
	})
}

func (s *server) registerExportProduct(w http.ResponseWriter, r *http.Request, who principal) error {
	q := r.URL.Query()
	return s.registerExport(w, r, who, func(o register.ExportOptions, now time.Time) (register.Export, error) {
		return s.reg.ExportProduct(r.Context(), q.Get("product"), q.Get("version"), o, now)
	})
}

// registerExport answers ?format=json|html&audience=…&tlp=… with the export as a document.
func (s *server) registerExport(w http.ResponseWriter, r *http.Request, who principal, build func(register.ExportOptions, time.Time) (register.Export, error)) error {
	if err := registerBound(who); err != nil {
		return err
	}
	q := r.URL.Query()
	format := q.Get("format")
	if format == "" {
		format = "json"
	}
	if format != "json" && format != "html" {
		return errorf(http.StatusBadRequest, "invalid_query", "format=%q: want json or html", format)
	}
	if q.Get("audience") == "" {
		return errorf(http.StatusBadRequest, "invalid_query", "audience is missing: say who the export is for (holder, certification_body, national_authority, evaluation_facility, dependent_holder, community, public); the means of exploitation are removed beyond the first four")
	}
	audience := register.Audience(q.Get("audience"))
	if who.Role == store.RoleViewer && audience.Limited() {
		// As for reads (readableBy): a viewer is not inside the limited distribution, so it
		// cannot ask for an export that keeps the means of exploitation.
		return errorf(http.StatusForbidden, "forbidden_audience", "a viewer token cannot export for audience %s (the limited distribution, which keeps the means of exploitation): ask an assessor, or export for dependent_holder, community or public", audience)
	}
	x, err := build(register.ExportOptions{Audience: audience, TLP: register.TLP(q.Get("tlp"))}, s.now())
	if err != nil {
		return registerFail(err)
	}
	if format == "json" {
		writeJSON(w, http.StatusOK, x)
		return nil
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.WriteHeader(http.StatusOK)
	if err := x.WriteHTML(w); err != nil {
		s.log.Info("register export: client went away", "err", fmt.Sprint(err))
	}
	return nil
}
