package api

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

var pathParam = regexp.MustCompile(`\{([a-z]+)\}`)

// paramDocs describes the path parameters.
var paramDocs = map[string]string{
	"id":     "assessment id",
	"n":      "sample number, 1 or 2",
	"scan":   "scan id returned by POST /scans",
	"record": "register record id",
	"run":    "discovery run id returned by POST /discovery/runs, or latest",
	"agent":  "scanner agent id or a unique prefix",
}

// document builds the OpenAPI 3 document from the route table.
func (s *server) document() map[string]any {
	paths := map[string]any{}
	for _, rt := range s.routes() {
		op := map[string]any{
			"operationId": operationID(rt),
			"summary":     rt.summary,
			"responses":   responses(rt),
		}
		if rt.roles == nil {
			op["security"] = []any{}
		} else {
			op["description"] = "Roles: " + roleList(rt.roles) + "."
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true,
				"description": paramDocs[m[1]], "schema": map[string]any{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.body != "" {
			schema := map[string]any{"type": "object"}
			if rt.body == "text/csv" {
				schema = map[string]any{"type": "string"}
			}
			schema["description"] = rt.bodyDoc
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{rt.body: map[string]any{"schema": schema}}}
		}
		item, _ := paths[rt.path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.path] = item
		}
		item[strings.ToLower(rt.method)] = op
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "ceplus collector API", "version": "1",
			"description": "The CE+ assessment workflow: scope, freeze, commit-reveal draws, scans, results, verdict. Errors are {\"error\": {\"code\", \"message\"}}. See docs/api.md."},
		"paths":    paths,
		"security": []any{map[string]any{"bearer": []any{}}},
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer",
				"description": "an API token from 'ceplus-collector token create --role assessor|applicant|viewer'"}},
			"schemas": map[string]any{"Error": map[string]any{"type": "object", "required": []string{"error"},
				"properties": map[string]any{"error": map[string]any{"type": "object", "required": []string{"code", "message"},
					"properties": map[string]any{"code": map[string]any{"type": "string"}, "message": map[string]any{"type": "string"}}}}}},
		},
	}
}

func operationID(rt route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.method))
	for _, part := range strings.Split(strings.TrimPrefix(rt.path, "/api/v1/"), "/") {
		part = strings.Trim(part, "{}")
		part = strings.NewReplacer(".", "", "_", "").Replace(part)
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

func responses(rt route) map[string]any {
	status := rt.status
	if status == 0 {
		status = http.StatusOK
	}
	media := "application/json"
	if strings.HasSuffix(rt.path, "/events") && (strings.Contains(rt.path, "/scans/") || strings.Contains(rt.path, "/discovery/")) {
		media = "text/event-stream"
	}
	errRef := map[string]any{"description": "error", "content": map[string]any{"application/json": map[string]any{
		"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	return map[string]any{
		strconv.Itoa(status): map[string]any{"description": http.StatusText(status),
			"content": map[string]any{media: map[string]any{"schema": map[string]any{}}}},
		"default": errRef,
	}
}

func (s *server) openAPI(w http.ResponseWriter, _ *http.Request, _ principal) error {
	writeJSON(w, http.StatusOK, s.document())
	return nil
}
