package register

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/ceplus/ceplus/shared/rules"
)

// ChangeKind names a change to a record; it is also the kind of the event that records it.
type ChangeKind string

// The changes a record accepts after its receipt.
const (
	ChangeAnalyse          ChangeKind = "analyse"           // the impact analysis confirms a possible impact
	ChangeExit             ChangeKind = "exit"              // a process exit (Reason, DuplicateOf)
	ChangeReference        ChangeKind = "reference"         // a duplicate merged in (written by Exit)
	ChangeUpdate           ChangeKind = "update"            // TLP, ids, dependent holders, details, summary
	ChangeEUCC             ChangeKind = "eucc"              // attack potential, exploitation, agreement
	ChangeExtensionRequest ChangeKind = "extension_request" // a request to the national authority
	ChangeExtensionAnswer  ChangeKind = "extension_answer"  // its answer
	ChangeTriage           ChangeKind = "triage"            // an e-IoT notice; a later one is a re-triage
	ChangeDeclineFix       ChangeKind = "decline_fix"       // the e-IoT vendor decided not to fix
	ChangeDone             ChangeKind = "done"              // a deadline's work was done (Milestone)
	ChangeReport           ChangeKind = "report"            // the impact analysis report was delivered
	ChangeClose            ChangeKind = "close"             // closure after the report: retention starts
)

// kindReceived is the kind of a record's first event.
const kindReceived = "received"

// Change is one change to a record. Which fields count depends on Kind; the rest must be empty.
// It is the JSON body of the API's change routes and, with Who, the payload of the event.
type Change struct {
	Kind ChangeKind `json:"kind"`
	Who  string     `json:"who"`
	Note string     `json:"note,omitempty"`

	// analyse, eucc: the date the impact analysis confirmed a possible impact.
	Confirmed *calendar.Date `json:"confirmed,omitempty"`
	// exit
	Reason      ExitReason `json:"reason,omitempty"`
	DuplicateOf string     `json:"duplicate_of,omitempty"`
	// reference (written on the original by a duplicate's exit)
	Reference *Reference `json:"reference,omitempty"`
	// update
	TLP                 TLP      `json:"tlp,omitempty"`
	AddVulnIDs          []string `json:"add_vulnerability_ids,omitempty"`
	NotifiedHolders     []string `json:"notified_holders,omitempty"`
	ExploitationDetails *string  `json:"exploitation_details,omitempty"`
	Summary             *string  `json:"summary,omitempty"`
	Composite           *bool    `json:"composite,omitempty"`
	// eucc
	AttackPotential     *int  `json:"attack_potential,omitempty"`
	ActivelyExploited   *bool `json:"actively_exploited,omitempty"`
	MutualAgreementDays *int  `json:"mutual_agreement_days,omitempty"`
	// extension_request (Requested, Days) and extension_answer (Extension, Answer, Answered)
	Requested *calendar.Date        `json:"requested,omitempty"`
	Days      int                   `json:"days,omitempty"`
	Extension int                   `json:"extension,omitempty"`
	Answer    rules.ExtensionAnswer `json:"answer,omitempty"`
	Answered  *calendar.Date        `json:"answered,omitempty"`
	// triage: Triage or RiskLevel (high, substantial, basic, out_of_scope), and Notified
	Triage    rules.Triage `json:"triage,omitempty"`
	RiskLevel string       `json:"risk_level,omitempty"`
	Notified  *time.Time   `json:"notified,omitempty"`
	// done (Milestone, Done) and report (Done)
	Milestone DeadlineKind `json:"milestone,omitempty"`
	Done      *time.Time   `json:"done,omitempty"`

	// DeadlinesAfter is the rules engine's answer right after the change, kept in the event so
	// the history shows how every change moved the deadlines. Set by the register.
	DeadlinesAfter *Deadlines `json:"deadlines_after,omitempty"`
}

// ChangeError is a change that does not apply to the record as it stands.
type ChangeError struct {
	ID     string
	Kind   ChangeKind
	Reason string
}

func (e *ChangeError) Error() string {
	return fmt.Sprintf("record %s: %s: %s", e.ID, e.Kind, e.Reason)
}

// apply applies c, made by c.Who at `at`, to r. It returns a *ChangeError and leaves r as it was
// when the change does not fit r's state.
func (r *Record) apply(c Change, at time.Time) error {
	bad := func(format string, args ...any) error {
		return &ChangeError{ID: r.ID, Kind: c.Kind, Reason: fmt.Sprintf(format, args...)}
	}
	if strings.TrimSpace(c.Who) == "" {
		return bad("who is empty: every step records who made it")
	}
	step := Step{Who: c.Who, At: at, Note: c.Note}
	if !r.Open() && c.Kind != ChangeReference && c.Kind != ChangeUpdate {
		return bad("the record was closed on %s; only further references and label updates are accepted", r.Closed.At.Format(time.RFC3339))
	}
	switch c.Kind {
	case ChangeAnalyse:
		return r.applyAnalyse(c, step, bad)
	case ChangeExit:
		return r.applyExit(c, step, bad)
	case ChangeReference:
		if c.Reference == nil || c.Reference.RecordID == "" {
			return bad("reference is missing its record id")
		}
		ref := *c.Reference
		ref.Step = step
		r.References = slices.DeleteFunc(r.References, func(x Reference) bool { return x.RecordID == ref.RecordID })
		r.References = append(r.References, ref)
		return nil
	case ChangeUpdate:
		return r.applyUpdate(c, step, bad)
	case ChangeEUCC, ChangeExtensionRequest, ChangeExtensionAnswer:
		if r.Scheme != SchemeEUCC {
			return bad("only for EUCC records; this one is %s", r.Scheme)
		}
		return r.applyEUCC(c, step, bad)
	case ChangeTriage, ChangeDeclineFix:
		if r.Scheme != SchemeEIoT {
			return bad("only for e-IoT-SCS records; this one is %s", r.Scheme)
		}
		return r.applyEIoT(c, step, bad)
	case ChangeDone, ChangeReport:
		return r.applyDone(c, step, at, bad)
	case ChangeClose:
		if r.Report == nil && (r.Scheme == SchemeEUCC || c.Note == "") {
			return bad("no impact analysis report is recorded: deliver it first (report), or stop the process with exit; an e-IoT record may be closed with a note saying why")
		}
		r.Closed, r.Status = &step, StatusClosed
		return nil
	}
	return bad("unknown change: want one of analyse, exit, update, eucc, extension_request, extension_answer, triage, decline_fix, done, report, close")
}

type badFunc func(format string, args ...any) error

func (r *Record) applyAnalyse(c Change, step Step, bad badFunc) error {
	switch {
	case r.Confirmed != nil:
		return bad("the impact analysis already confirmed a possible impact on %s", r.Confirmed.At.Format(time.RFC3339))
	case c.Confirmed == nil:
		return bad("confirmed (YYYY-MM-DD) is missing: the date the analysis confirmed a possible impact, when the clock starts")
	}
	r.Confirmed, r.Status = &step, StatusConfirmed
	if r.Scheme == SchemeEUCC {
		d := *c.Confirmed
		r.EUCC.Confirmed = &d
	}
	return nil
}

func (r *Record) applyExit(c Change, step Step, bad badFunc) error {
	switch c.Reason {
	case ExitDuplicate:
		if c.DuplicateOf == "" || c.DuplicateOf == r.ID {
			return bad("duplicate_of must name the original record (another record's id)")
		}
	case ExitNoSecurity:
	case ExitBeyondAssuranceLevel:
		if r.Scheme != SchemeEUCC {
			return bad("beyond_assurance_level is an EUCC exit (the attack potential exceeds the AVA_VAN level); use no_security")
		}
	default:
		return bad("reason %q: want duplicate, no_security or beyond_assurance_level", c.Reason)
	}
	if r.Report != nil {
		return bad("the impact analysis report was delivered on %s: close the record instead", r.Report.At.Format(time.RFC3339))
	}
	if c.Reason != ExitDuplicate && c.DuplicateOf != "" {
		return bad("duplicate_of is only for reason duplicate")
	}
	r.Exit = &Exit{Step: step, Reason: c.Reason, DuplicateOf: c.DuplicateOf}
	r.Closed, r.Status = &step, StatusExited
	return nil
}

func (r *Record) applyUpdate(c Change, step Step, bad badFunc) error {
	tlp := r.TLP
	if c.TLP != "" {
		t, err := ParseTLP(string(c.TLP))
		if err != nil {
			return bad("%v", err)
		}
		tlp = t
	}
	if !r.Open() && (len(c.AddVulnIDs) > 0 || len(c.NotifiedHolders) > 0 || c.ExploitationDetails != nil || c.Summary != nil || c.Composite != nil) {
		return bad("the record is closed: only its TLP label may change")
	}
	if slices.ContainsFunc(c.AddVulnIDs, func(s string) bool { return strings.TrimSpace(s) == "" }) {
		return bad("an empty vulnerability id")
	}
	if slices.ContainsFunc(c.NotifiedHolders, func(s string) bool { return strings.TrimSpace(s) == "" }) {
		return bad("an empty dependent certificate holder")
	}
	r.TLP = tlp
	for _, id := range c.AddVulnIDs {
		if id = strings.TrimSpace(id); !slices.Contains(r.VulnIDs, id) {
			r.VulnIDs = append(r.VulnIDs, id)
		}
	}
	for _, h := range c.NotifiedHolders {
		r.DependentHolders = append(r.DependentHolders, HolderNotice{Holder: strings.TrimSpace(h), Step: step})
	}
	if c.ExploitationDetails != nil {
		r.ExploitationDetails = *c.ExploitationDetails
	}
	if c.Summary != nil {
		r.Summary = *c.Summary
	}
	if c.Composite != nil {
		r.Composite = *c.Composite
	}
	return nil
}

func (r *Record) applyEUCC(c Change, step Step, bad badFunc) error {
	e := r.EUCC
	switch c.Kind {
	case ChangeEUCC:
		if c.AttackPotential != nil && *c.AttackPotential < 0 {
			return bad("attack_potential %d: an attack potential is 0 or more", *c.AttackPotential)
		}
		if c.MutualAgreementDays != nil && *c.MutualAgreementDays < 1 {
			return bad("mutual_agreement_days %d: an agreement is 1 day or more", *c.MutualAgreementDays)
		}
		if c.Confirmed != nil {
			d := *c.Confirmed
			e.Confirmed = &d
			if r.Confirmed == nil {
				r.Confirmed, r.Status = &step, StatusConfirmed
			}
		}
		if c.AttackPotential != nil {
			p := *c.AttackPotential
			e.AttackPotential = &p
		}
		if c.ActivelyExploited != nil {
			e.ActivelyExploited = *c.ActivelyExploited
		}
		if c.MutualAgreementDays != nil {
			d := *c.MutualAgreementDays
			e.MutualAgreementDays, e.MutualAgreement = &d, &step
		}
	case ChangeExtensionRequest:
		switch {
		case c.Requested == nil:
			return bad("requested (YYYY-MM-DD) is missing: the date the request and the draft report were sent")
		case c.Days < 1:
			return bad("days %d: ask for 1 day or more (the authority grants 60 or 90)", c.Days)
		}
		e.Extensions = append(e.Extensions, ExtensionRequest{N: len(e.Extensions) + 1, Requested: *c.Requested, Days: c.Days, Recorded: step})
	case ChangeExtensionAnswer:
		if c.Extension < 1 || c.Extension > len(e.Extensions) {
			return bad("extension %d: the record has %d extension request(s), numbered from 1", c.Extension, len(e.Extensions))
		}
		x := &e.Extensions[c.Extension-1]
		switch {
		case c.Answer != rules.AnswerGranted && c.Answer != rules.AnswerRefused:
			return bad("answer %q: want granted or refused", c.Answer)
		case c.Answered == nil:
			return bad("answered (YYYY-MM-DD) is missing: the date of the authority's answer")
		case c.Answered.Before(x.Requested):
			return bad("answered %s is before the request of %s", c.Answered, x.Requested)
		case x.Answer != rules.AnswerNone:
			return bad("extension %d was already answered (%s)", x.N, x.Answer)
		}
		d := *c.Answered
		x.Answer, x.Answered, x.AnswerRecorded = c.Answer, &d, &step
	}
	return nil
}

func (r *Record) applyEIoT(c Change, step Step, bad badFunc) error {
	if c.Kind == ChangeDeclineFix {
		switch {
		case r.notice() == nil:
			return bad("no triage notice yet: the revocation counts from the notice's permanent-mitigation deadline")
		case r.EIoT.DeclinedFix != nil:
			return bad("the vendor's decision not to fix was already recorded on %s", r.EIoT.DeclinedFix.At.Format(time.RFC3339))
		}
		r.EIoT.DeclinedFix = &step
		return nil
	}
	t := c.Triage
	if c.RiskLevel != "" {
		rt, ok := rules.TriageForRisk(c.RiskLevel)
		switch {
		case !ok:
			return bad("risk_level %q: want high, substantial, basic or out_of_scope", c.RiskLevel)
		case t != "" && t != rt:
			return bad("risk_level %q gives triage %s but triage is %s: give one of them, or make them agree", c.RiskLevel, rt, t)
		}
		t = rt
	}
	switch t {
	case rules.TriageRed, rules.TriageAmber, rules.TriageGreen, rules.TriageWhite:
	default:
		return bad("triage %q: want red, amber, green or white (or risk_level)", t)
	}
	tlp := TLP("")
	if c.TLP != "" {
		var err error
		if tlp, err = ParseTLP(string(c.TLP)); err != nil {
			return bad("%v", err)
		}
	} else if d, _ := rules.DeadlinesFor(t); d.TLP != "" {
		tlp = TLP(d.TLP)
	}
	if c.Notified == nil || c.Notified.IsZero() {
		return bad("notified (RFC 3339 time) is missing: when the notice was sent")
	}
	if cur := r.notice(); cur != nil && c.Notified.Before(cur.Notified) {
		return bad("notified %s is before the notice in force (%s): a re-triage is a newer notice", c.Notified.Format(time.RFC3339), cur.Notified.Format(time.RFC3339))
	}
	for i := range r.EIoT.Notices {
		r.EIoT.Notices[i].Voided = true
	}
	r.EIoT.Notices = append(r.EIoT.Notices, Notice{N: len(r.EIoT.Notices) + 1, Triage: t, RiskLevel: c.RiskLevel,
		Notified: c.Notified.UTC(), Recorded: step})
	r.TLP = tlp
	return nil
}

func (r *Record) applyDone(c Change, step Step, at time.Time, bad badFunc) error {
	k := c.Milestone
	if c.Kind == ChangeReport {
		if k != "" && k != KindImpactAnalysis {
			return bad("report marks the impact analysis done; use done for %s", k)
		}
		k = KindImpactAnalysis
	}
	done := at
	if c.Done != nil {
		done = c.Done.UTC()
	}
	switch k {
	case KindImpactAnalysis:
		if r.Scheme == SchemeEUCC && r.Confirmed == nil {
			return bad("the impact analysis has not confirmed a possible impact yet: record analyse first, or exit")
		}
		if r.Report != nil {
			return bad("the report was already delivered on %s", r.Report.At.Format(time.RFC3339))
		}
		s := step
		s.At = done
		r.Report, r.Status = &s, StatusReported
	case KindTemporaryMitigation, KindPermanentMitigation, KindRiskCalculation, KindVendorResponse:
		if r.Scheme != SchemeEIoT || r.notice() == nil {
			return bad("%s is an e-IoT-SCS deadline and needs a triage notice first", k)
		}
	default:
		return bad("milestone %q: want impact_analysis (or report), temporary_mitigation, permanent_mitigation, risk_calculation or vendor_response", k)
	}
	m := Milestone{Kind: k, Done: done, Step: step}
	if cur := r.notice(); cur != nil && k.noticeBound() {
		m.Notice = cur.N
	}
	r.Milestones = append(r.Milestones, m)
	return nil
}
