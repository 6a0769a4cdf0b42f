package register

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"
)

// Audience is who an export is for.
type Audience string

// The audiences. The first four are the limited distribution of EUCC guidelines §3.4 and
// RULES.md §2, who may see the means of exploitation; anyone else gets them removed.
const (
	AudienceHolder             Audience = "holder"
	AudienceCertificationBody  Audience = "certification_body"
	AudienceNationalAuthority  Audience = "national_authority"
	AudienceEvaluationFacility Audience = "evaluation_facility"
	AudienceDependentHolder    Audience = "dependent_holder"
	AudienceCommunity          Audience = "community"
	AudiencePublic             Audience = "public"
)

// Audiences lists every audience.
var Audiences = []Audience{AudienceHolder, AudienceCertificationBody, AudienceNationalAuthority, AudienceEvaluationFacility,
	AudienceDependentHolder, AudienceCommunity, AudiencePublic}

// ParseAudience reads an audience name.
func ParseAudience(s string) (Audience, error) {
	for _, a := range Audiences {
		if string(a) == s {
			return a, nil
		}
	}
	names := make([]string, len(Audiences))
	for i, a := range Audiences {
		names[i] = string(a)
	}
	return "", fmt.Errorf("audience %q: want one of %s", s, strings.Join(names, ", "))
}

// Limited reports whether a is inside the limited distribution (certification body, national
// authority, evaluation facility, holder).
func (a Audience) Limited() bool {
	switch a {
	case AudienceHolder, AudienceCertificationBody, AudienceNationalAuthority, AudienceEvaluationFacility:
		return true
	}
	return false
}

// ExportOptions say who an export is for and how it is labelled.
type ExportOptions struct {
	Audience Audience `json:"audience"`
	// TLP relabels the export; empty means the most restrictive label of its records.
	TLP TLP `json:"tlp,omitempty"`
}

// Export is a report of one record or of a product's records.
type Export struct {
	// Label is the TLP label as printed on the document, "TLP:AMBER"; TLP the bare colour.
	Label       string    `json:"label"`
	Title       string    `json:"title"`
	GeneratedAt time.Time `json:"generated_at"`
	Audience    Audience  `json:"audience"`
	TLP         TLP       `json:"tlp"`
	// Redacted is true when the exploitation details were removed; Redaction says why.
	Redacted  bool     `json:"redacted"`
	Redaction string   `json:"redaction,omitempty"`
	Warnings  []string `json:"warnings,omitempty"`
	Records   []Record `json:"records"`
}

// ExportRecord returns the export of record id at now.
func (g *Register) ExportRecord(ctx context.Context, id string, o ExportOptions, now time.Time) (Export, error) {
	rec, err := g.Get(ctx, id, now)
	if err != nil {
		return Export{}, err
	}
	return BuildExport(fmt.Sprintf("Vulnerability record %s: %s %s", rec.ID, rec.Product, rec.Version), []Record{rec}, o, now)
}

// ExportProduct returns the export of every record of a product (and version, when given) at now.
func (g *Register) ExportProduct(ctx context.Context, product, version string, o ExportOptions, now time.Time) (Export, error) {
	if product == "" {
		return Export{}, invalidError{fmt.Errorf("export product: the product name is empty: give --product")}
	}
	recs, err := g.List(ctx, Filter{Product: product, Version: version}, now)
	if err != nil {
		return Export{}, err
	}
	if len(recs) == 0 {
		return Export{}, fmt.Errorf("export product %q %q: %w: no record names that product and version", product, version, ErrNotRecord)
	}
	return BuildExport(strings.TrimSpace(fmt.Sprintf("Vulnerability register: %s %s", product, version)), recs, o, now)
}

// BuildExport labels and, when the audience or the label goes beyond the limited distribution,
// redacts recs. The records are copied; recs is not changed.
func BuildExport(title string, recs []Record, o ExportOptions, now time.Time) (Export, error) {
	if _, err := ParseAudience(string(o.Audience)); err != nil {
		return Export{}, invalidError{fmt.Errorf("export: %w", err)}
	}
	label := TLP("")
	for _, r := range recs {
		label = moreRestrictive(label, r.TLP)
	}
	if label == "" {
		label = TLPAmber
	}
	x := Export{Title: title, GeneratedAt: now.UTC(), Audience: o.Audience, TLP: label}
	if o.TLP != "" {
		t, err := ParseTLP(string(o.TLP))
		if err != nil {
			return Export{}, invalidError{fmt.Errorf("export: %w", err)}
		}
		if t.rank() > label.rank() {
			x.Warnings = append(x.Warnings, fmt.Sprintf("relabelled from %s to the less restrictive %s", label, t))
		}
		x.TLP = t
	}
	x.Label = x.TLP.String()
	switch {
	case !o.Audience.Limited():
		x.Redacted = true
		x.Redaction = fmt.Sprintf("means of exploitation removed: the audience (%s) is beyond the limited distribution (certification body, national authority, evaluation facility, holder)", o.Audience)
	case !x.TLP.Limited():
		x.Redacted = true
		x.Redaction = fmt.Sprintf("means of exploitation removed: a %s document may be shared beyond the limited distribution", x.TLP)
	}
	if !o.Audience.Limited() && label == TLPRed {
		x.Warnings = append(x.Warnings, fmt.Sprintf("a record is TLP:RED (participants only) but the audience is %s", o.Audience))
	}
	for _, r := range recs {
		r.VulnIDs = append([]string(nil), r.VulnIDs...)
		r.References = append([]Reference(nil), r.References...)
		if x.Redacted {
			r.ExploitationDetails = ""
			for i := range r.References {
				r.References[i].ExploitationDetails = ""
			}
		}
		x.Records = append(x.Records, r)
	}
	return x, nil
}

// WriteJSON writes the export as indented JSON.
func (x Export) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(x); err != nil {
		return fmt.Errorf("write export as JSON: %w", err)
	}
	return nil
}

//go:embed export.html
var exportHTML string

var exportTemplate = template.Must(template.New("export").Funcs(template.FuncMap{
	"tlpClass": func(t TLP) string { return "tlp-" + strings.ToLower(strings.ReplaceAll(string(t), "+", "-")) },
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"whenp": func(t *time.Time) string {
		if t == nil {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"join":  strings.Join,
	"human": func(s any) string { return strings.ReplaceAll(fmt.Sprint(s), "_", " ") },
}).Parse(exportHTML))

// WriteHTML writes the export as one self-contained HTML document (no external assets) with
// its TLP label at the top and the bottom of every page.
func (x Export) WriteHTML(w io.Writer) error {
	if err := exportTemplate.Execute(w, x); err != nil {
		return fmt.Errorf("write export as HTML: %w", err)
	}
	return nil
}
