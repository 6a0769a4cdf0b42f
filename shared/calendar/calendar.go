package calendar

import (
	"sort"
	"sync"
	"time"

	_ "time/tzdata" // endpoints without a zoneinfo database still know Europe/London
)

// DefaultZone is the time zone of an assessment that names none (RULES.md §4).
const DefaultZone = "Europe/London"

// Holiday is one public holiday: a date and, optionally, its name.
type Holiday struct {
	Date Date
	Name string
}

// Calendar is a time zone and a set of holidays. Dates are local dates in the time zone; business
// days are the dates that are neither a Saturday, a Sunday nor a holiday. A Calendar is immutable
// and safe for concurrent use.
type Calendar struct {
	loc      *time.Location
	holidays map[Date]string
	first    int // first year the holiday list covers, 0 when empty
	last     int // last year the holiday list covers
}

var london = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation(DefaultZone)
	if err != nil {
		// Cannot happen: time/tzdata is embedded.
		panic("calendar: load " + DefaultZone + ": " + err.Error())
	}
	return loc
})

// London returns the Europe/London time zone from the embedded time-zone data.
func London() *time.Location { return london() }

var defaultCalendar = sync.OnceValue(func() *Calendar {
	return New(London(), EnglandAndWales())
})

// Default returns the default calendar: Europe/London with the embedded England and Wales bank
// holidays.
func Default() *Calendar { return defaultCalendar() }

// New returns a calendar for loc (Europe/London when nil) with the given holidays. Holidays
// listed twice keep the first name.
func New(loc *time.Location, holidays []Holiday) *Calendar {
	if loc == nil {
		loc = London()
	}
	c := &Calendar{loc: loc, holidays: make(map[Date]string, len(holidays))}
	for _, h := range holidays {
		if _, dup := c.holidays[h.Date]; dup {
			continue
		}
		c.holidays[h.Date] = h.Name
		if c.first == 0 || h.Date.Year < c.first {
			c.first = h.Date.Year
		}
		if h.Date.Year > c.last {
			c.last = h.Date.Year
		}
	}
	return c
}

// WithLocation returns a calendar with c's holidays in the time zone loc.
func (c *Calendar) WithLocation(loc *time.Location) *Calendar {
	if loc == nil {
		loc = London()
	}
	return &Calendar{loc: loc, holidays: c.holidays, first: c.first, last: c.last}
}

// Location returns the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// Date returns the local date of t in the calendar's time zone: 2026-06-01T23:30:00Z is
// 2026-06-02 in Europe/London (British Summer Time).
func (c *Calendar) Date(t time.Time) Date { return DateOf(t.In(c.loc)) }

// StartOfDay returns the first instant of local date d (normally midnight; where a time-zone
// change skips midnight, the first instant that exists).
func (c *Calendar) StartOfDay(d Date) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, c.loc)
}

// EndOfDay returns the instant local date d ends, which is the start of the next day. A time t is
// on or before d when t is before EndOfDay(d).
func (c *Calendar) EndOfDay(d Date) time.Time { return c.StartOfDay(d.AddDays(1)) }

// Holiday reports whether d is a holiday of the calendar, with its name.
func (c *Calendar) Holiday(d Date) (name string, ok bool) {
	name, ok = c.holidays[d]
	return name, ok
}

// IsBusinessDay reports whether d is neither a Saturday, a Sunday nor a holiday.
func (c *Calendar) IsBusinessDay(d Date) bool {
	switch d.Weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	_, hol := c.holidays[d]
	return !hol
}

// AddBusinessDays returns the n-th business day after d, not counting d itself: with n = 1 and d
// a Friday before a bank-holiday Monday, the following Tuesday. n = 0 returns d.
// A negative n counts backwards.
func (c *Calendar) AddBusinessDays(d Date, n int) Date {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d = d.AddDays(step)
		if c.IsBusinessDay(d) {
			n--
		}
	}
	return d
}

// BusinessDaysAfter counts the business days in (from, to]: after from, up to and including to.
// It returns 0 when to is not after from.
func (c *Calendar) BusinessDaysAfter(from, to Date) int {
	n := 0
	for d := from.AddDays(1); !d.After(to); d = d.AddDays(1) {
		if c.IsBusinessDay(d) {
			n++
		}
	}
	return n
}

// Holidays returns the calendar's holidays sorted by date.
func (c *Calendar) Holidays() []Holiday {
	out := make([]Holiday, 0, len(c.holidays))
	for d, name := range c.holidays {
		out = append(out, Holiday{Date: d, Name: name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out
}

// Covers reports whether d falls in a year the holiday list covers (from the year of its first
// holiday to the year of its last). Business-day results outside it ignore any holidays there.
func (c *Calendar) Covers(d Date) bool {
	return c.first != 0 && d.Year >= c.first && d.Year <= c.last
}
