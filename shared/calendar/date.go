package calendar

import (
	"fmt"
	"time"
)

// Date is a calendar date with no time of day and no time zone, such as 2026-05-04.
// The zero Date is not a valid date; IsZero reports it.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date y-m-d, normalising out-of-range values the way time.Date does
// (for example 2026-02-30 becomes 2026-03-02).
func NewDate(y int, m time.Month, d int) Date {
	return DateOf(time.Date(y, m, d, 12, 0, 0, 0, time.UTC))
}

// DateOf returns the date of t in t's own location. Use Calendar.Date for the date in a
// calendar's time zone.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate parses a date written exactly as YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, fmt.Errorf("%q is not a date: want YYYY-MM-DD", s)
	}
	num := func(part string) (int, bool) {
		n := 0
		for _, c := range part {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(s[0:4])
	m, ok2 := num(s[5:7])
	d, ok3 := num(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return Date{}, fmt.Errorf("%q is not a date: want YYYY-MM-DD", s)
	}
	date := Date{y, time.Month(m), d}
	if m < 1 || m > 12 || d < 1 || NewDate(y, time.Month(m), d) != date {
		return Date{}, fmt.Errorf("%q is not a date: no such day", s)
	}
	return date, nil
}

// String returns the date as YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// AddDays returns the date n calendar days after d (before it when n is negative).
func (d Date) AddDays(n int) Date {
	return fromDayNumber(d.dayNumber() + int64(n))
}

// DaysSince returns the number of calendar days from e to d: positive when d is later.
func (d Date) DaysSince(e Date) int {
	return int(d.dayNumber() - e.dayNumber())
}

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	a, b := d.dayNumber(), e.dayNumber()
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	// Day number 0 is 1970-01-01, a Thursday.
	w := (d.dayNumber() + 4) % 7
	if w < 0 {
		w += 7
	}
	return time.Weekday(w)
}

// MarshalText encodes d as YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) {
	return []byte(d.String()), nil
}

// UnmarshalText decodes a YYYY-MM-DD date.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

func (d Date) dayNumber() int64 { return dayNumber(d.Year, int(d.Month), d.Day) }

// dayNumber returns the days since 1970-01-01 of the proleptic Gregorian date y-m-d
// (Howard Hinnant's days_from_civil), valid for any month 1–12 and day ≥ 1.
func dayNumber(y, m, d int) int64 {
	y64, m64, d64 := int64(y), int64(m), int64(d)
	if m64 <= 2 {
		y64--
	}
	era := y64 / 400
	if y64 < 0 && y64%400 != 0 {
		era--
	}
	yoe := y64 - era*400
	mp := (m64 + 9) % 12
	doy := (153*mp+2)/5 + d64 - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// fromDayNumber is the inverse of dayNumber (Howard Hinnant's civil_from_days).
func fromDayNumber(z int64) Date {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return Date{int(y), time.Month(m), int(d)}
}
