package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ceplus/ceplus/collector/internal/api"
	"github.com/ceplus/ceplus/collector/internal/assess"
)

// action runs one step of the workflow through the API and goes back to the assessment (or,
// for a scan, to its live progress). The API refuses what the token may not do; the refusal is
// shown with its status and message.
func (s *server) action(w http.ResponseWriter, r *http.Request, q *request) error {
	id := r.PathValue("id")
	ctx := r.Context()
	back := "/ui/assessments/" + url.PathEscape(id)
	n, _ := strconv.Atoi(r.PostFormValue("sample")) // the API refuses a missing or wrong number
	sample := "samples/" + strconv.Itoa(n)
	var msg string
	switch r.PathValue("action") {
	case "freeze":
		var sc api.ScopeView
		if err := q.api.JSON(ctx, "POST", apiPath(id, "freeze"), nil, &sc); err != nil {
			return err
		}
		hash := ""
		if sc.Frozen != nil {
			hash = sc.Frozen.ScopeHash
		}
		msg = fmt.Sprintf("Scope frozen: %d devices, scope hash %s.", sc.Devices, hash)
	case "commit":
		var sv api.SampleView
		if err := q.api.JSON(ctx, "POST", apiPath(id, sample, "commit"), nil, &sv); err != nil {
			return err
		}
		msg = fmt.Sprintf("Sample %d committed: commitment %s. Show it to the applicant before the draw.", n, sv.Commitment)
	case "draw":
		var sv api.SampleView
		if err := q.api.JSON(ctx, "POST", apiPath(id, sample, "draw"), nil, &sv); err != nil {
			return err
		}
		msg = fmt.Sprintf("Sample %d drawn: %d devices; seed %s revealed.", n, len(sv.Devices), sv.Seed)
	case "declare":
		var d api.DeclarationView
		if err := q.api.JSON(ctx, "POST", apiPath(id, "samples", "2", "declare"), nil, &d); err != nil {
			return err
		}
		msg = fmt.Sprintf("Sample 2 declared to the applicant: %d devices.", len(d.Devices))
	case "scan":
		var st assess.ScanStatus
		if err := q.api.JSON(ctx, "POST", apiPath(id, "scans"), assess.ScanRequest{Sample: n, Devices: fields(r.PostFormValue("devices"))}, &st); err != nil {
			return err
		}
		s.redirect(w, r, q, back+"/scans/"+url.PathEscape(st.Scan), flash{OK: true, Text: fmt.Sprintf("Scan of Sample %d started: %d devices.", n, len(st.Devices))})
		return nil
	case "results":
		raw, err := q.api.Raw(ctx, "POST", apiPath(id, "results"), strings.NewReader(r.PostFormValue("results")), "application/json")
		if err != nil {
			return err
		}
		msg = "Results imported: " + strings.Join(strings.Fields(string(raw)), " ")
	case "scope-csv":
		raw, err := q.api.Raw(ctx, "POST", apiPath(id, "scope", "csv"), strings.NewReader(r.PostFormValue("csv")), "text/csv")
		if err != nil {
			return err
		}
		msg = scopeMessage(raw)
	case "scope-agents":
		var raw json.RawMessage
		if err := q.api.JSON(ctx, "POST", apiPath(id, "scope", "agents"), assess.AgentsRequest{Type: strings.TrimSpace(r.PostFormValue("type"))}, &raw); err != nil {
			return err
		}
		msg = scopeMessage(raw)
	case "decide":
		req := assess.DecideRequest{Question: strings.TrimSpace(r.PostFormValue("question")), Decision: strings.TrimSpace(r.PostFormValue("decision"))}
		if err := q.api.JSON(ctx, "POST", apiPath(id, "decisions"), req, nil); err != nil {
			return err
		}
		msg = "Decision recorded."
	case "verdict":
		var v assess.Verdict
		if err := q.api.JSON(ctx, "POST", apiPath(id, "verdict"), nil, &v); err != nil {
			return err
		}
		msg = fmt.Sprintf("Verdict recorded: %s, CE certificate %s.", v.Outcome, v.CECertificate)
	case "refuse":
		if err := q.api.JSON(ctx, "POST", apiPath(id, "refuse"), assess.RefuseRequest{Reason: strings.TrimSpace(r.PostFormValue("reason"))}, nil); err != nil {
			return err
		}
		msg = "Sample 2 refused: CE+ is not achieved."
	default:
		return &api.Error{Status: http.StatusNotFound, Code: "no_such_action", Message: fmt.Sprintf("%q is not an action of the assessment page: go back and use its forms", r.PathValue("action"))}
	}
	s.redirect(w, r, q, back, flash{OK: true, Text: msg})
	return nil
}

// scopeMessage describes a scope change answer (assess.ScopeChange) in a sentence.
func scopeMessage(raw []byte) string {
	var ch assess.ScopeChange
	if err := json.Unmarshal(raw, &ch); err != nil {
		return "Scope changed: " + string(raw)
	}
	msg := fmt.Sprintf("Scope: %d devices added, %d agents linked, %d agents skipped.", len(ch.Added), len(ch.Linked), len(ch.Skipped))
	for _, sk := range ch.Skipped {
		msg += fmt.Sprintf(" Agent %s skipped: %s.", short(sk.Agent), sk.Reason)
	}
	if ch.AfterFreeze {
		msg += " The scope was already frozen: the additions are recorded but are not part of the frozen scope."
	}
	return msg
}
