package register

import (
	"fmt"
	"time"

	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/ceplus/ceplus/shared/rules"
)

// DeadlineKind names one kind of deadline the register tracks.
type DeadlineKind string

// The deadline kinds (RULES.md §2–§3).
const (
	KindImpactAnalysis      DeadlineKind = "impact_analysis"      // EUCC: the impact analysis report
	KindTemporaryMitigation DeadlineKind = "temporary_mitigation" // e-IoT: from the first notice
	KindPermanentMitigation DeadlineKind = "permanent_mitigation" // e-IoT: restarts with each notice
	KindRiskCalculation     DeadlineKind = "risk_calculation"     // e-IoT: from the first notice
	KindVendorResponse      DeadlineKind = "vendor_response"      // e-IoT: 48 hours, restarts with each notice
	KindExtensionAnswer     DeadlineKind = "extension_answer"     // EUCC: the authority's answer, else deemed accepted
	KindRevocation          DeadlineKind = "revocation"           // e-IoT: the vendor declined to fix
)

// DeadlineKinds lists every kind, for validation and documentation.
var DeadlineKinds = []DeadlineKind{KindImpactAnalysis, KindTemporaryMitigation, KindPermanentMitigation,
	KindRiskCalculation, KindVendorResponse, KindExtensionAnswer, KindRevocation}

// noticeBound reports whether a new e-IoT notice restarts this kind's clock.
func (k DeadlineKind) noticeBound() bool {
	return k == KindPermanentMitigation || k == KindVendorResponse
}

// The states of a deadline.
const (
	StateOpen           = "open"            // not done, not passed
	StateLate           = "late"            // passed without being done
	StateDone           = "done"            // its work was recorded as done
	StateNoDeadline     = "no_deadline"     // the scheme sets none (EUCC: the holder decides)
	StateDeemedAccepted = "deemed_accepted" // an extension request unanswered for 30 days
	StateRevoked        = "revoked"         // the revocation time has come
)

// Deadline is one deadline of a record as the rules engine set it.
type Deadline struct {
	Kind DeadlineKind `json:"kind"`
	// Date is the day of a calendar-date deadline (it passes when that local day ends); nil for
	// an instant (vendor response, revocation).
	Date *calendar.Date `json:"date,omitempty"`
	// Due is the instant the deadline passes; nil when there is none.
	Due   *time.Time `json:"due"`
	State string     `json:"state"`
	Done  *time.Time `json:"done,omitempty"`
	// Urgent marks an actively exploited EUCC vulnerability: analyse at once.
	Urgent bool `json:"urgent,omitempty"`
	// Extension is the request number of an extension_answer deadline.
	Extension int    `json:"extension,omitempty"`
	Note      string `json:"note,omitempty"`
}

// Deadlines are a record's deadlines at one moment, with the engine's full answers.
type Deadlines struct {
	At   time.Time          `json:"at"`
	EUCC *rules.EUCCVerdict `json:"eucc,omitempty"`
	EIoT *rules.EIoTVerdict `json:"eiot,omitempty"`
	// EIoTFirstNotice is the engine's answer for the first notice of a re-triaged record: the
	// temporary mitigation and the risk calculation run from it.
	EIoTFirstNotice *rules.EIoTVerdict `json:"eiot_first_notice,omitempty"`
	Items           []Deadline         `json:"items"`
	Notes           []string           `json:"notes,omitempty"`
}

// Cases are the rules-engine cases built from a record's facts at one moment: the facts the
// register's deadlines come from, and what `ceplus-collector rules evaluate` is given to check them.
type Cases struct {
	EUCC            *rules.EUCCCase
	EIoT            *rules.EIoTCase
	EIoTFirstNotice *rules.EIoTCase
	// Notes say why a case could not be built yet (a fact is missing).
	Notes []string
}

// Calendar returns the calendar the record's deadlines are counted in.
func (r *Record) Calendar() (*calendar.Calendar, error) {
	zone := r.TimeZone
	if zone == "" {
		zone = calendar.DefaultZone
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return nil, fmt.Errorf("record %s: time zone %q: %w: use an IANA name such as Europe/London", r.ID, zone, err)
	}
	if r.Holidays == nil {
		return calendar.Default().WithLocation(loc), nil
	}
	return calendar.New(loc, calendar.FromDates(r.Holidays)), nil
}

// Cases builds the rules-engine cases of the record at now.
func (r *Record) Cases(now time.Time) (Cases, error) {
	var c Cases
	cal, err := r.Calendar()
	if err != nil {
		return c, err
	}
	switch r.Scheme {
	case SchemeEUCC:
		e := r.EUCC
		switch {
		case e == nil || e.Confirmed == nil:
			c.Notes = append(c.Notes, "no impact-analysis deadline yet: the clock starts when the impact analysis confirms a possible impact (register analyse)")
		case e.AttackPotential == nil:
			c.Notes = append(c.Notes, "no impact-analysis deadline yet: record the attack potential (register eucc --attack-potential N)")
		default:
			k := rules.EUCCCase{Now: now, Calendar: cal, AttackPotential: *e.AttackPotential, AVAVAN: r.AVAVAN,
				Confirmed: *e.Confirmed, ActivelyExploited: e.ActivelyExploited, MutualAgreementDays: e.MutualAgreementDays}
			for _, x := range e.Extensions {
				k.Extensions = append(k.Extensions, rules.Extension{Requested: x.Requested, Days: x.Days, Answer: x.Answer})
			}
			c.EUCC = &k
		}
	case SchemeEIoT:
		cur := r.notice()
		if cur == nil {
			c.Notes = append(c.Notes, "no deadlines yet: they run from the triage notice (register eiot --triage COLOUR --notified TIME)")
			break
		}
		c.EIoT = &rules.EIoTCase{Now: now, Calendar: cal, Triage: cur.Triage, Notified: cur.Notified,
			VendorDeclinedFix: r.EIoT.DeclinedFix != nil}
		if first := r.EIoT.Notices[0]; first.N != cur.N {
			c.EIoTFirstNotice = &rules.EIoTCase{Now: now, Calendar: cal, Triage: first.Triage, Notified: first.Notified}
		}
	}
	return c, nil
}

// evaluate asks the rules engine for the record's deadlines at now. It never computes a
// deadline itself: dates and instants come from the engine's answers.
func (r *Record) evaluate(now time.Time) Deadlines {
	d := Deadlines{At: now, Items: []Deadline{}}
	cases, err := r.Cases(now)
	if err != nil {
		d.Notes = append(d.Notes, err.Error())
		return d
	}
	d.Notes = append(d.Notes, cases.Notes...)
	cal, _ := r.Calendar() // Cases succeeded, so the calendar loads
	if cases.EUCC != nil {
		v, err := evalEUCC(*cases.EUCC)
		if err != nil {
			d.Notes = append(d.Notes, err.Error())
		} else {
			d.EUCC = &v
			d.Items = append(d.Items, r.euccItems(v, cal, now)...)
		}
	}
	if cases.EIoT != nil {
		v, err := evalEIoT(*cases.EIoT)
		first := v
		if err == nil && cases.EIoTFirstNotice != nil {
			first, err = evalEIoT(*cases.EIoTFirstNotice)
			d.EIoTFirstNotice = &first
		}
		if err != nil {
			d.Notes = append(d.Notes, err.Error())
		} else {
			d.EIoT = &v
			d.Items = append(d.Items, r.eiotItems(v, first, cal, now)...)
		}
	}
	if !r.Open() {
		d.Notes = append(d.Notes, fmt.Sprintf("closed on %s: nothing is due any more", r.Closed.At.Format(time.RFC3339)))
	}
	return d
}

func evalEUCC(c rules.EUCCCase) (rules.EUCCVerdict, error) {
	v, err := rules.Evaluate(rules.Case{Scheme: rules.SchemeEUCC, EUCC: &c})
	if err != nil {
		return rules.EUCCVerdict{}, fmt.Errorf("rules engine refused the EUCC facts: %w", err)
	}
	return v.(rules.EUCCVerdict), nil
}

func evalEIoT(c rules.EIoTCase) (rules.EIoTVerdict, error) {
	v, err := rules.Evaluate(rules.Case{Scheme: rules.SchemeEIoT, EIoT: &c})
	if err != nil {
		return rules.EIoTVerdict{}, fmt.Errorf("rules engine refused the e-IoT facts: %w", err)
	}
	return v.(rules.EIoTVerdict), nil
}

func (r *Record) euccItems(v rules.EUCCVerdict, cal *calendar.Calendar, now time.Time) []Deadline {
	ia := Deadline{Kind: KindImpactAnalysis, Urgent: v.Urgent}
	if v.Deadline == nil {
		ia.State, ia.Note = StateNoDeadline, fmt.Sprintf("attack potential beyond the certificate's AVA_VAN.%d claim: the holder decides the timing", r.AVAVAN)
	} else {
		ia = dateDeadline(ia, *v.Deadline, cal, now)
		if v.ExtensionsApplied > 0 {
			ia.Note = fmt.Sprintf("%d extension(s) applied to the base deadline %s", v.ExtensionsApplied, v.BaseDeadline)
		}
	}
	if v.Urgent {
		ia.Note = join(ia.Note, "actively exploited: analyse at once and inform the certification body; the date is only the upper bound")
	}
	markDone(&ia, r.milestone(KindImpactAnalysis))
	items := []Deadline{ia}
	for _, x := range r.EUCC.Extensions {
		it := Deadline{Kind: KindExtensionAnswer, Extension: x.N}
		if x.Answer != rules.AnswerNone {
			done := x.AnswerRecorded.At
			it.State, it.Done, it.Note = StateDone, &done, fmt.Sprintf("answered %s: %s", x.Answered, x.Answer)
			items = append(items, it)
			continue
		}
		day := x.Requested.AddDays(rules.ExtensionNotice)
		due := cal.StartOfDay(day)
		it.Date, it.Due, it.State = &day, &due, StateOpen
		it.Note = fmt.Sprintf("the national authority's answer to the request of %s; unanswered on %s it counts as accepted", x.Requested, day)
		if !now.Before(due) {
			it.State = StateDeemedAccepted
		}
		items = append(items, it)
	}
	return items
}

func (r *Record) eiotItems(v, first rules.EIoTVerdict, cal *calendar.Calendar, now time.Time) []Deadline {
	if v.PermanentMitigation == nil && first.TemporaryMitigation == nil {
		return nil // WHITE: out of scope, no deadlines (the engine's reasons say so)
	}
	var items []Deadline
	add := func(k DeadlineKind, day *calendar.Date, note string) {
		if day == nil {
			return
		}
		it := dateDeadline(Deadline{Kind: k, Note: note}, *day, cal, now)
		markDone(&it, r.milestone(k))
		items = append(items, it)
	}
	fromFirst := ""
	if len(r.EIoT.Notices) > 1 {
		fromFirst = fmt.Sprintf("from the first notice (%s, %s); a re-triage does not restart it", first.TLP, first.NotifiedDate)
	}
	add(KindTemporaryMitigation, first.TemporaryMitigation, fromFirst)
	add(KindRiskCalculation, first.RiskCalculation, fromFirst)
	add(KindPermanentMitigation, v.PermanentMitigation, "")
	if v.VendorResponseBy != nil {
		due := *v.VendorResponseBy
		it := Deadline{Kind: KindVendorResponse, Due: &due, State: StateOpen}
		if now.After(due) {
			it.State = StateLate
		}
		markDone(&it, r.milestone(KindVendorResponse))
		items = append(items, it)
	}
	if v.RevocationAt != nil {
		due := *v.RevocationAt
		it := Deadline{Kind: KindRevocation, Due: &due, State: StateOpen,
			Note: "the vendor declined to fix: the certificate of this product version is revoked at this time"}
		if v.Revoked {
			it.State = StateRevoked
		}
		items = append(items, it)
	}
	return items
}

// dateDeadline fills a deadline that passes when the local day ends.
func dateDeadline(it Deadline, day calendar.Date, cal *calendar.Calendar, now time.Time) Deadline {
	due := cal.EndOfDay(day)
	it.Date, it.Due, it.State = &day, &due, StateOpen
	if !now.Before(due) {
		it.State = StateLate
	}
	return it
}

func markDone(it *Deadline, m *Milestone) {
	if m == nil {
		return
	}
	done := m.Done
	it.Done, it.State = &done, StateDone
	if it.Due != nil && done.After(*it.Due) {
		it.Note = join(it.Note, "done after the deadline")
	}
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
