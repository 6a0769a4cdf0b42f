package api

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/ceplus/ceplus/collector/internal/assess/assesstest"
	"github.com/google/go-cmp/cmp"
)

// TestOpenAPIListsEveryRoute reads the served document and checks that it lists exactly the
// registered routes, and that the mux serves every one of them.
func TestOpenAPIListsEveryRoute(t *testing.T) {
	e := newEnv(t, assesstest.Backends()[0], Deps{})
	raw, err := (&Client{Base: e.srv.URL, HTTP: e.srv.Client()}).Raw(e.ctx, "GET", "/api/v1/openapi.json", nil, "")
	if err != nil {
		t.Fatalf("GET openapi.json without a token: %v", err)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi = %q, want 3.x", doc.OpenAPI)
	}
	var inDoc, registered []string
	for p, ops := range doc.Paths {
		for m := range ops {
			inDoc = append(inDoc, strings.ToUpper(m)+" "+p)
		}
	}
	_, s := newServer(Deps{Store: e.store, Now: e.clock.Now})
	for _, rt := range s.routes() {
		registered = append(registered, rt.method+" "+rt.path)
	}
	sort.Strings(inDoc)
	sort.Strings(registered)
	if diff := cmp.Diff(registered, inDoc); diff != "" {
		t.Errorf("OpenAPI paths (-registered +documented):\n%s", diff)
	}
	if len(registered) < 20 {
		t.Errorf("only %d routes registered", len(registered))
	}
	fill := strings.NewReplacer("{id}", "asm-x", "{n}", "1", "{scan}", "scan-x")
	for _, rt := range s.routes() {
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			req, err := http.NewRequestWithContext(e.ctx, rt.method, e.srv.URL+fill.Replace(rt.path), nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := e.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body ErrorBody
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil && rt.roles != nil {
				t.Fatalf("answer is not JSON: %v", err)
			}
			want := http.StatusUnauthorized
			if rt.roles == nil {
				want = http.StatusOK
			}
			if resp.StatusCode != want || body.Error.Code == "no_such_route" {
				t.Errorf("%s %s without a token = %d %s, want %d", rt.method, rt.path, resp.StatusCode, body.Error.Code, want)
			}
		})
	}
	e.refused(e.assessor, "GET", "/api/v1/nothing-here", nil, http.StatusNotFound, "no_such_route")
}
