package calendar

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// proclaimedExtras lists one-off bank holidays (coronations, jubilees) that the 1971 Act's
// standing rules do not produce. None are known for 2025–2030.
var proclaimedExtras = map[Date]string{}

// easter returns Easter Sunday of year y (anonymous Gregorian algorithm).
func easter(y int) Date {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return NewDate(y, time.Month(month), day)
}

// statutory computes the England and Wales bank holidays of year y from the standing rules.
func statutory(y int) []Date {
	weekday := func(d Date) bool { return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday }
	firstMonday := func(m time.Month) Date {
		d := NewDate(y, m, 1)
		for d.Weekday() != time.Monday {
			d = d.AddDays(1)
		}
		return d
	}
	lastMonday := func(m time.Month) Date {
		d := NewDate(y, m+1, 1).AddDays(-1)
		for d.Weekday() != time.Monday {
			d = d.AddDays(-1)
		}
		return d
	}
	taken := map[Date]bool{}
	next := func(d Date) Date { // the day itself, or the next weekday not already taken
		for !weekday(d) || taken[d] {
			d = d.AddDays(1)
		}
		taken[d] = true
		return d
	}
	e := easter(y)
	out := []Date{next(NewDate(y, 1, 1)), e.AddDays(-2), e.AddDays(1), firstMonday(time.May), lastMonday(time.May), lastMonday(time.August)}
	out = append(out, next(NewDate(y, 12, 25)), next(NewDate(y, 12, 26)))
	return out
}

func TestEasterKnownDates(t *testing.T) {
	want := map[int]string{2025: "2025-04-20", 2026: "2026-04-05", 2027: "2027-03-28", 2028: "2028-04-16", 2029: "2029-04-01", 2030: "2030-04-21"}
	for y, w := range want {
		if got := easter(y).String(); got != w {
			t.Errorf("easter(%d) = %s, want %s", y, got, w)
		}
	}
}

func TestEnglandAndWalesMatchesStatutoryRules(t *testing.T) {
	byYear := map[int][]Date{}
	for _, h := range EnglandAndWales() {
		byYear[h.Date.Year] = append(byYear[h.Date.Year], h.Date)
	}
	for y := 2025; y <= 2030; y++ {
		want := statutory(y)
		for d := range proclaimedExtras {
			if d.Year == y {
				want = append(want, d)
			}
		}
		if diff := cmp.Diff(fmt.Sprint(want), fmt.Sprint(byYear[y])); diff != "" {
			t.Errorf("%d: embedded list differs from the 1971 Act rules (-rules +file):\n%s", y, diff)
		}
	}
	if len(byYear) != 6 {
		t.Errorf("embedded list covers years %v, want 2025–2030", byYear)
	}
}

func TestEnglandAndWalesPublishedDates(t *testing.T) {
	// Dates as published by GOV.UK (2025–2027).
	want := []string{
		"2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25", "2025-12-25", "2025-12-26",
		"2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28",
		"2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28",
	}
	var got []string
	for _, h := range EnglandAndWales() {
		if h.Date.Year <= 2027 {
			got = append(got, h.Date.String())
		}
		if h.Name == "" {
			t.Errorf("%v has no name", h.Date)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("published bank holidays differ (-want +got):\n%s", diff)
	}
}

func TestParseHolidays(t *testing.T) {
	got, err := ParseHolidays(strings.NewReader("# comment\n\n2026-05-01 Fête du Travail\n2026-07-14\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Holiday{{NewDate(2026, 5, 1), "Fête du Travail"}, {NewDate(2026, 7, 14), ""}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseHolidays (-want +got):\n%s", diff)
	}
	_, err = ParseHolidays(strings.NewReader("2026-05-01 ok\n2026-02-30 bad\n"))
	if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "2026-02-30") {
		t.Errorf("error should name line 2 and the value, got %v", err)
	}
}
