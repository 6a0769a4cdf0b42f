package eol

import (
	"fmt"
	"time"

	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/ceplus/ceplus/shared/inventory"
)

// Status is a release's support status on one day for one device.
type Status struct {
	Release   Release `json:"release"`
	Supported bool    `json:"supported"`
	// Period is the support period that applies: the one in force when Supported, otherwise
	// the last one that counted for the device (the one that ended). nil only when the
	// release has no period that counts for the device.
	Period *Period `json:"period,omitempty"`
	// Date is the local date (Europe/London) of the test.
	Date calendar.Date `json:"date"`
}

// Check returns the support status of the device's OS release for a test at now (its date in
// Europe/London). A period is in force through its end date. Periods that need an enrolment
// count only when enrolled is set (the device reports Ubuntu Pro ESM, Windows ESU…). The
// error wraps ErrUnknown when the release is not in the data.
func Check(d inventory.Device, enrolled bool, now time.Time) (Status, error) {
	rel, err := Lookup(d)
	if err != nil {
		return Status{}, err
	}
	return rel.Status(enrolled, now), nil
}

// Status returns the release's support status for a test at now (see Check). When supported,
// the period that applies is the first in force in the data's order (regular support, then
// long-term support, then enrolment-only periods); when not, it is the counting period that
// ended last.
func (r Release) Status(enrolled bool, now time.Time) Status {
	s := Status{Release: r, Date: calendar.DateOf(now.In(calendar.London()))}
	for i := range r.Periods {
		p := r.Periods[i]
		if p.Enrolment && !enrolled {
			continue
		}
		if p.Ongoing || (!p.End.IsZero() && !s.Date.After(p.End)) {
			s.Supported, s.Period = true, &p
			return s
		}
		if s.Period == nil || p.End.After(s.Period.End) {
			s.Period = &p
		}
	}
	return s
}

// Text says, in one sentence, which support period applies and when it ends.
func (s Status) Text() string {
	r := s.Release
	switch {
	case s.Period == nil:
		return fmt.Sprintf("%s has no support period that counts for this device (source %s)", r.Label, r.Source)
	case s.Supported && s.Period.Ongoing:
		return fmt.Sprintf("%s is supported: %s, no end date published (source %s)", r.Label, s.Period.Name, r.Source)
	case s.Supported:
		return fmt.Sprintf("%s is supported: %s until %s (source %s)", r.Label, s.Period.Name, s.Period.End, r.Source)
	case s.Period.End.IsZero():
		return fmt.Sprintf("%s is no longer supported: %s has ended (source %s)", r.Label, s.Period.Name, r.Source)
	}
	return fmt.Sprintf("%s is no longer supported: %s ended on %s (source %s)", r.Label, s.Period.Name, s.Period.End, r.Source)
}
