package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/ceplus/ceplus/shared/calendar"
)

// VendorResponse is how long a vendor has to answer an e-IoT-SCS notice, and how long after the
// permanent-mitigation deadline a vendor that declined to fix loses the certificate.
const VendorResponse = 48 * time.Hour

// TriageDeadlines are the business-day deadlines of one e-IoT-SCS triage level (RULES.md §3).
type TriageDeadlines struct {
	TLP                 string
	TemporaryMitigation int
	PermanentMitigation int
	RiskCalculation     int
}

// DeadlinesFor returns the deadlines of triage t; ok is false for white (out of scope) and
// unknown levels.
func DeadlinesFor(t Triage) (d TriageDeadlines, ok bool) {
	switch t {
	case TriageRed:
		return TriageDeadlines{"RED", 1, 10, 3}, true
	case TriageAmber:
		return TriageDeadlines{"AMBER", 3, 20, 5}, true
	case TriageGreen:
		return TriageDeadlines{"GREEN", 10, 30, 14}, true
	}
	return TriageDeadlines{TLP: strings.ToUpper(string(t))}, false
}

// EIoTVerdict is the answer for an e-IoT case. The first six fields are contract v1; the rest
// explain them.
type EIoTVerdict struct {
	TLP                 string         `json:"tlp"`
	TemporaryMitigation *calendar.Date `json:"temporary_mitigation"`
	PermanentMitigation *calendar.Date `json:"permanent_mitigation"`
	RiskCalculation     *calendar.Date `json:"risk_calculation"`
	VendorResponseBy    *time.Time     `json:"vendor_response_by"`
	RevocationAt        *time.Time     `json:"revocation_at"`

	Triage Triage `json:"triage"`
	// NotifiedDate is the local date of the notice; deadlines count business days after it.
	NotifiedDate calendar.Date `json:"notified_date"`
	// Passed lists the deadlines already passed at now (a date deadline passes when its day ends).
	Passed []string `json:"passed"`
	// Revoked is true when the vendor declined to fix and now is at or after RevocationAt.
	Revoked bool     `json:"revoked"`
	Reasons []string `json:"reasons"`
}

// EvaluateEIoT returns the deadlines of an e-IoT-SCS notice (RULES.md §3, contract v1). Each
// deadline is the n-th business day after the local date of Notified (that day not counted),
// skipping Saturdays, Sundays and the calendar's holidays. VendorResponseBy is Notified + 48 hours.
// When the vendor declined to fix, RevocationAt is the end of the permanent-mitigation day (the
// start of the next local day) + 48 hours. White (out of scope) gives no deadlines. Times are UTC.
func EvaluateEIoT(in EIoTCase) EIoTVerdict {
	cal := calendarOrDefault(in.Calendar)
	notified := cal.Date(in.Notified)
	d, ok := DeadlinesFor(in.Triage)
	v := EIoTVerdict{TLP: d.TLP, Triage: in.Triage, NotifiedDate: notified, Passed: []string{}}
	if !ok {
		v.Reasons = []string{"triage WHITE: outside the scope of the product, no deadlines; TLP WHITE, disclosure unlimited"}
		return v
	}
	temp := cal.AddBusinessDays(notified, d.TemporaryMitigation)
	perm := cal.AddBusinessDays(notified, d.PermanentMitigation)
	risk := cal.AddBusinessDays(notified, d.RiskCalculation)
	resp := in.Notified.Add(VendorResponse).UTC()
	v.TemporaryMitigation, v.PermanentMitigation, v.RiskCalculation, v.VendorResponseBy = &temp, &perm, &risk, &resp
	v.Reasons = append(v.Reasons, fmt.Sprintf("triage %s notified on %s (%s): temporary mitigation %d, permanent mitigation %d, risk calculation %d business days after that day",
		d.TLP, notified, cal.Location(), d.TemporaryMitigation, d.PermanentMitigation, d.RiskCalculation))
	for _, dl := range []struct {
		name string
		day  calendar.Date
	}{{"temporary_mitigation", temp}, {"risk_calculation", risk}, {"permanent_mitigation", perm}} {
		if !in.Now.Before(cal.EndOfDay(dl.day)) {
			v.Passed = append(v.Passed, dl.name)
		}
	}
	if in.Now.After(resp) {
		v.Passed = append(v.Passed, "vendor_response_by")
	}
	if in.VendorDeclinedFix {
		rev := cal.EndOfDay(perm).Add(VendorResponse).UTC()
		v.RevocationAt = &rev
		v.Revoked = !in.Now.Before(rev)
		v.Reasons = append(v.Reasons, fmt.Sprintf("the vendor declined to fix: the certificate of this product version is revoked 48 hours after the permanent-mitigation day ends, at %s", rev.Format(time.RFC3339)))
	}
	if !cal.Covers(perm) {
		v.Reasons = append(v.Reasons, fmt.Sprintf("warning: the holiday calendar does not cover %d; only weekends were skipped there", perm.Year))
	}
	return v
}
