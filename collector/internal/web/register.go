package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/ceplus/ceplus/collector/internal/api"
	"github.com/ceplus/ceplus/collector/internal/register"
)

// registerListPage is the register page's data: the records and the filter that chose them.
type registerListPage struct {
	Records []register.Record
	Product string
	Version string
	Scheme  string
	Open    bool
	// Exports are the product export links (when a product is chosen).
	Exports []exportLink
}

// exportLink is one export of a record or product for one audience.
type exportLink struct {
	Audience register.Audience
	JSON     string
	HTML     string
}

// nextDeadline returns a record's earliest open or late deadline, nil when none.
func nextDeadline(rec register.Record) *register.Deadline {
	var next *register.Deadline
	for i, d := range rec.Deadlines.Items {
		if d.Due == nil || (d.State != register.StateOpen && d.State != register.StateLate) {
			continue
		}
		if next == nil || d.Due.Before(*next.Due) {
			next = &rec.Deadlines.Items[i]
		}
	}
	return next
}

func (s *server) registerList(w http.ResponseWriter, r *http.Request, q *request) error {
	f := r.URL.Query()
	p := registerListPage{Product: f.Get("product"), Version: f.Get("version"), Scheme: f.Get("scheme"), Open: f.Get("open") == "true"}
	v := url.Values{}
	for k, val := range map[string]string{"product": p.Product, "version": p.Version, "scheme": p.Scheme} {
		if val != "" {
			v.Set(k, val)
		}
	}
	if p.Open {
		v.Set("open", "true")
	}
	path := "/api/v1/register"
	if len(v) > 0 {
		path += "?" + v.Encode()
	}
	if err := q.api.JSON(r.Context(), "GET", path, nil, &p.Records); err != nil {
		return err
	}
	if p.Product != "" {
		base := url.Values{"product": {p.Product}}
		if p.Version != "" {
			base.Set("version", p.Version)
		}
		p.Exports = exportLinks(q.who, "/ui/register/export", base)
	}
	s.render(w, r, http.StatusOK, "register", s.page(q, "Vulnerability register", "register", p))
	return nil
}

func (s *server) registerDue(w http.ResponseWriter, r *http.Request, q *request) error {
	within := r.URL.Query().Get("within")
	if within == "" {
		within = "14d"
	}
	var due api.RegisterDue
	if err := q.api.JSON(r.Context(), "GET", "/api/v1/register/due?within="+url.QueryEscape(within), nil, &due); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "due", s.page(q, "Register deadlines due", "due", due))
	return nil
}

// recordPage is a register record's page data.
type recordPage struct {
	R       register.Record
	Next    *register.Deadline
	Exports []exportLink
	// Secret says whether the page may show the means of exploitation (never to a viewer).
	Secret bool
}

func (s *server) registerRecord(w http.ResponseWriter, r *http.Request, q *request) error {
	id := r.PathValue("record")
	p := recordPage{Secret: !q.who.Viewer()}
	if err := q.api.JSON(r.Context(), "GET", "/api/v1/register/"+url.PathEscape(id), nil, &p.R); err != nil {
		return err
	}
	if !p.Secret {
		p.R.ExploitationDetails = ""
		for i := range p.R.References {
			p.R.References[i].ExploitationDetails = ""
		}
	}
	p.Next = nextDeadline(p.R)
	p.Exports = exportLinks(q.who, "/ui/register/"+url.PathEscape(id)+"/export", url.Values{})
	s.render(w, r, http.StatusOK, "record", s.page(q, "Record "+p.R.ID, "register", p))
	return nil
}

// exportAudiences are the audiences who may be offered an export: a viewer is not part of the
// limited distribution (RULES.md §2), so it gets only exports without the means of
// exploitation, as the API gives a viewer's reads.
func exportAudiences(me who) []register.Audience {
	var out []register.Audience
	for _, a := range register.Audiences {
		if !me.Viewer() || !a.Limited() {
			out = append(out, a)
		}
	}
	return out
}

func exportLinks(me who, base string, q url.Values) []exportLink {
	var out []exportLink
	for _, a := range exportAudiences(me) {
		l := exportLink{Audience: a}
		for _, f := range []string{"json", "html"} {
			v := url.Values{}
			for k, vs := range q {
				v[k] = vs
			}
			v.Set("audience", string(a))
			v.Set("format", f)
			if f == "json" {
				l.JSON = base + "?" + v.Encode()
			} else {
				l.HTML = base + "?" + v.Encode()
			}
		}
		out = append(out, l)
	}
	return out
}

// checkExport refuses a viewer an export for the limited distribution.
func checkExport(me who, r *http.Request) error {
	a := register.Audience(r.URL.Query().Get("audience"))
	if me.Viewer() && a.Limited() {
		return &api.Error{Status: http.StatusForbidden, Code: "forbidden_audience",
			Message: fmt.Sprintf("a viewer token cannot export for the limited distribution (%s): it would include the means of exploitation; choose %s", a, strings.Join(audienceNames(exportAudiences(me)), ", "))}
	}
	return nil
}

func audienceNames(as []register.Audience) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = string(a)
	}
	return out
}

func (s *server) registerExportRecord(w http.ResponseWriter, r *http.Request, q *request) error {
	if err := checkExport(q.who, r); err != nil {
		return err
	}
	s.proxy(w, r, q, "/api/v1/register/"+url.PathEscape(r.PathValue("record"))+"/export?"+r.URL.RawQuery)
	return nil
}

func (s *server) registerExportProduct(w http.ResponseWriter, r *http.Request, q *request) error {
	if err := checkExport(q.who, r); err != nil {
		return err
	}
	s.proxy(w, r, q, "/api/v1/register/export?"+r.URL.RawQuery)
	return nil
}
