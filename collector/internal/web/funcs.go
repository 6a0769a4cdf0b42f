package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"sort"
	"strings"
	"time"

	"github.com/ceplus/ceplus/collector/internal/register"
	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/ceplus/ceplus/shared/rules"
)

// pageNames are the page templates; each is parsed with layout.html.
var pageNames = []string{"login", "error", "assessments", "assessment", "scan", "agents", "register", "record", "due"}

func parsePages() (map[string]*template.Template, error) {
	out := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: parse template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

var funcs = template.FuncMap{
	"short":       short,
	"when":        when,
	"whenp":       whenp,
	"date":        date,
	"join":        strings.Join,
	"severity":    severity,
	"pretty":      pretty,
	"fails":       func(c rules.Class) bool { return c.Fails() },
	"dash":        dash,
	"next":        nextDeadline,
	"sizes":       sizes,
	"deadline":    deadline,
	"plural":      plural,
	"samples":     func() []int { return []int{1, 2} },
	"deviceTypes": func() []string { return rules.DeviceTypes },
}

// short returns the first 12 characters of a hash or id.
func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

// when formats an instant in UTC to the second; the zero time is a dash.
func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05") + " UTC"
}

func whenp(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return when(*t)
}

func date(d *calendar.Date) string {
	if d == nil {
		return "—"
	}
	return d.String()
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// severity shows a finding's CVSS score and vendor rating; none means "none given (high)".
func severity(s *rules.Severity) string {
	if s == nil {
		return "none given (counts as high)"
	}
	var parts []string
	if s.CVSS3 != nil {
		parts = append(parts, fmt.Sprintf("CVSS %.1f", *s.CVSS3))
	}
	if s.Vendor != "" {
		parts = append(parts, s.Vendor)
	}
	if len(parts) == 0 {
		return "none given (counts as high)"
	}
	return strings.Join(parts, ", ")
}

// pretty indents a JSON document; what is not JSON is returned as it is.
func pretty(raw json.RawMessage) string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return string(raw)
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return string(raw)
	}
	return string(b)
}

// sizes lists a verdict's sample size per build, by build.
func sizes(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// deadline shows a register deadline: its day when it is a calendar date, else its instant.
func deadline(d *register.Deadline) string {
	if d.Date != nil {
		return d.Date.String() + " (end of day)"
	}
	return whenp(d.Due)
}

// plural returns "1 record" or "3 records".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
