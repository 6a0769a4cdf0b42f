package rules

import (
	"fmt"
	"sort"

	"github.com/ceplus/ceplus/shared/calendar"
)

// DeadlineKind says how an EUCC impact-analysis deadline is set (RULES.md §2).
type DeadlineKind string

// The deadline kinds of contract v1.
const (
	DeadlineFixed           DeadlineKind = "fixed"            // 60 or 90 calendar days, extendable (*)
	DeadlineMutualAgreement DeadlineKind = "mutual_agreement" // agreed days, 90 when none recorded (**)
	DeadlineHolder          DeadlineKind = "holder"           // the certificate holder decides: no deadline
)

// ExtensionNotice is how long before the deadline in force an extension must be requested, and
// how long an unanswered request waits before it counts as accepted, in calendar days.
const ExtensionNotice = 30

// Band is an ISO/IEC 18045 B.6 attack-potential band.
type Band struct {
	Index    int    // 0 (Basic) to 4 (Beyond High)
	Attacker string // Basic, Enhanced-Basic, Moderate, High, Beyond High
	Severity string // Critical, High, Medium, Low, N.A.
}

// AttackBand returns the band of an attack potential: 0–9 Basic/Critical, 10–13
// Enhanced-Basic/High, 14–19 Moderate/Medium, 20–24 High/Low, 25 and more Beyond High/N.A.
func AttackBand(potential int) Band {
	switch {
	case potential <= 9:
		return Band{0, "Basic", "Critical"}
	case potential <= 13:
		return Band{1, "Enhanced-Basic", "High"}
	case potential <= 19:
		return Band{2, "Moderate", "Medium"}
	case potential <= 24:
		return Band{3, "High", "Low"}
	}
	return Band{4, "Beyond High", "N.A."}
}

// EUCCDeadline returns the deadline kind and, for a fixed deadline, its days, for an attack
// potential against a certificate at AVA_VAN level van (1–5). The certificate claims resistance up
// to band van−2 (VAN.1 and VAN.2, "Substantial", claim band 0): a band inside the claim gets a fixed
// deadline (60 days for band 0, else 90), the band just above gets a mutual agreement, and bands
// further above, and Beyond High always, are left to the holder.
func EUCCDeadline(potential, van int) (DeadlineKind, int) {
	b := AttackBand(potential).Index
	claim := max(van-2, 0)
	switch {
	case b == 4 || b > claim+1:
		return DeadlineHolder, 0
	case b == claim+1:
		return DeadlineMutualAgreement, 90
	case b == 0:
		return DeadlineFixed, 60
	}
	return DeadlineFixed, 90
}

// EUCCVerdict is the answer for an EUCC case. The first six fields are contract v1; the rest
// explain them.
type EUCCVerdict struct {
	Attacker          string         `json:"attacker"`
	Severity          string         `json:"severity"`
	DeadlineKind      DeadlineKind   `json:"deadline_kind"`
	Deadline          *calendar.Date `json:"deadline"`
	Urgent            bool           `json:"urgent"`
	ExtensionsApplied int            `json:"extensions_applied"`

	// BaseDeadline is the deadline before extensions.
	BaseDeadline *calendar.Date `json:"base_deadline"`
	// Extensions says, for each request in request order, whether it counted and why.
	Extensions []ExtensionResult `json:"extensions"`
	// Overdue is true when now's local date is after the deadline.
	Overdue bool `json:"overdue"`
	// DaysLeft is the deadline minus now's local date (negative when overdue); nil without deadline.
	DaysLeft *int     `json:"days_left"`
	Reasons  []string `json:"reasons"`
}

// ExtensionResult is the fate of one extension request.
type ExtensionResult struct {
	Requested calendar.Date   `json:"requested"`
	Days      int             `json:"days"`
	Answer    ExtensionAnswer `json:"answer"`
	Counted   bool            `json:"counted"`
	Reason    string          `json:"reason"`
	// DeadlineAfter is the deadline in force after this request was judged.
	DeadlineAfter *calendar.Date `json:"deadline_after,omitempty"`
}

// EvaluateEUCC returns the impact-analysis deadline of an EUCC case (RULES.md §2, contract v1).
// Extensions are judged in request order against the deadline then in force: one counts when it
// was requested at least 30 days before that deadline and was granted, or got no answer within 30
// days of the request (judged on now's local date); each counted extension moves the deadline by its
// days. Only fixed deadlines (the table's "*") may be extended. Active exploitation sets Urgent;
// the deadline stays the upper bound.
func EvaluateEUCC(in EUCCCase) EUCCVerdict {
	cal := calendarOrDefault(in.Calendar)
	today := cal.Date(in.Now)
	band := AttackBand(in.AttackPotential)
	kind, days := EUCCDeadline(in.AttackPotential, in.AVAVAN)
	v := EUCCVerdict{Attacker: band.Attacker, Severity: band.Severity, DeadlineKind: kind, Urgent: in.ActivelyExploited,
		Extensions: []ExtensionResult{}}
	v.Reasons = append(v.Reasons, fmt.Sprintf("attack potential %d is %s (attacker %s, severity %s); certificate AVA_VAN.%d",
		in.AttackPotential, band.Attacker, band.Attacker, band.Severity, in.AVAVAN))
	switch kind {
	case DeadlineHolder:
		v.Reasons = append(v.Reasons, "well beyond the certificate's claim: the holder decides the timing (no deadline)")
	case DeadlineMutualAgreement:
		if in.MutualAgreementDays != nil {
			days = *in.MutualAgreementDays
			v.Reasons = append(v.Reasons, fmt.Sprintf("just beyond the certificate's claim: mutual agreement of %d days from %s", days, in.Confirmed))
			if days > 180 {
				v.Reasons = append(v.Reasons, "the agreement exceeds the recommended maximum of 180 days")
			}
		} else {
			v.Reasons = append(v.Reasons, fmt.Sprintf("just beyond the certificate's claim: no mutual agreement recorded, so 90 days from %s", in.Confirmed))
		}
	case DeadlineFixed:
		v.Reasons = append(v.Reasons, fmt.Sprintf("inside the certificate's claim: %d calendar days from %s", days, in.Confirmed))
	}
	if in.ActivelyExploited {
		v.Reasons = append(v.Reasons, "actively exploited: urgent, analyse at once and inform the certification body; the deadline is only the upper bound")
	}
	if kind == DeadlineHolder {
		for _, e := range in.Extensions {
			v.Extensions = append(v.Extensions, ExtensionResult{Requested: e.Requested, Days: e.Days, Answer: e.Answer,
				Reason: "no deadline to extend: the holder decides"})
		}
		return v
	}
	base := in.Confirmed.AddDays(days)
	v.BaseDeadline = &base
	deadline := base
	exts := append([]Extension(nil), in.Extensions...)
	sort.SliceStable(exts, func(i, j int) bool { return exts[i].Requested.Before(exts[j].Requested) })
	for _, e := range exts {
		r := judgeExtension(e, kind, deadline, today)
		if r.Counted {
			deadline = deadline.AddDays(e.Days)
			v.ExtensionsApplied++
		}
		d := deadline
		r.DeadlineAfter = &d
		v.Extensions = append(v.Extensions, r)
	}
	v.Deadline = &deadline
	left := deadline.DaysSince(today)
	v.DaysLeft = &left
	v.Overdue = left < 0
	return v
}

func judgeExtension(e Extension, kind DeadlineKind, deadline, today calendar.Date) ExtensionResult {
	r := ExtensionResult{Requested: e.Requested, Days: e.Days, Answer: e.Answer}
	notice := deadline.DaysSince(e.Requested)
	switch {
	case kind != DeadlineFixed:
		r.Reason = "only the table's fixed (*) deadlines may be extended; a mutual agreement is changed by a new agreement"
	case e.Requested.After(today):
		r.Reason = fmt.Sprintf("requested %s, after now (%s): not yet made", e.Requested, today)
	case notice < ExtensionNotice:
		r.Reason = fmt.Sprintf("requested %d days before the deadline then in force (%s): too late, requests must come at least %d days before", notice, deadline, ExtensionNotice)
	case e.Answer == AnswerRefused:
		r.Reason = "refused by the national authority"
	case e.Answer == AnswerGranted:
		r.Counted = true
		r.Reason = fmt.Sprintf("granted: +%d days", e.Days)
	case today.DaysSince(e.Requested) >= ExtensionNotice:
		r.Counted = true
		r.Reason = fmt.Sprintf("unanswered for %d days (since %s): counts as accepted, +%d days", today.DaysSince(e.Requested), e.Requested, e.Days)
	default:
		r.Reason = fmt.Sprintf("awaiting an answer: counts as accepted if still unanswered on %s", e.Requested.AddDays(ExtensionNotice))
	}
	return r
}
