package calendar

import (
	"testing"
	"time"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestLocalDate(t *testing.T) {
	tests := []struct {
		name, at string
		want     Date
	}{
		{name: "23:30 UTC in British summer time is the next day", at: "2026-06-01T23:30:00Z", want: NewDate(2026, 6, 2)},
		{name: "22:59 UTC in summer is still the same day", at: "2026-06-01T22:59:59Z", want: NewDate(2026, 6, 1)},
		{name: "23:30 UTC in winter is the same day", at: "2026-01-15T23:30:00Z", want: NewDate(2026, 1, 15)},
		{name: "offset input is converted", at: "2026-06-02T01:30:00+02:00", want: NewDate(2026, 6, 2)},
	}
	c := Default()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Date(mustTime(t, tt.at)); got != tt.want {
				t.Errorf("Date(%s) = %v, want %v", tt.at, got, tt.want)
			}
		})
	}
}

func TestStartAndEndOfDay(t *testing.T) {
	c := Default()
	tests := []struct {
		name string
		d    Date
		want string
	}{
		{name: "summer midnight is 23:00 UTC the day before", d: NewDate(2026, 6, 2), want: "2026-06-01T23:00:00Z"},
		{name: "winter midnight is 00:00 UTC", d: NewDate(2026, 1, 2), want: "2026-01-02T00:00:00Z"},
		{name: "clocks go forward on 2026-03-29 at 01:00", d: NewDate(2026, 3, 29), want: "2026-03-29T00:00:00Z"},
		{name: "clocks go back on 2026-10-25", d: NewDate(2026, 10, 25), want: "2026-10-24T23:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.StartOfDay(tt.d).UTC().Format(time.RFC3339); got != tt.want {
				t.Errorf("StartOfDay(%v) = %s, want %s", tt.d, got, tt.want)
			}
			if got, want := c.EndOfDay(tt.d.AddDays(-1)), c.StartOfDay(tt.d); !got.Equal(want) {
				t.Errorf("EndOfDay(day before) = %v, want %v", got, want)
			}
		})
	}
	// The day the clocks go forward has 23 hours.
	if h := c.EndOfDay(NewDate(2026, 3, 29)).Sub(c.StartOfDay(NewDate(2026, 3, 29))); h != 23*time.Hour {
		t.Errorf("2026-03-29 lasts %v, want 23h", h)
	}
}

func TestAddBusinessDays(t *testing.T) {
	c := Default()
	tests := []struct {
		name string
		from Date
		n    int
		want Date
	}{
		{name: "Friday plus 1 is Monday", from: NewDate(2026, 1, 9), n: 1, want: NewDate(2026, 1, 12)},
		{name: "Friday plus 10 skips two weekends", from: NewDate(2026, 1, 9), n: 10, want: NewDate(2026, 1, 23)},
		{name: "Thursday before Good Friday 2026 plus 1 is the Tuesday after Easter", from: NewDate(2026, 4, 2), n: 1, want: NewDate(2026, 4, 7)},
		{name: "Thursday before Good Friday 2026 plus 3", from: NewDate(2026, 4, 2), n: 3, want: NewDate(2026, 4, 9)},
		{name: "Friday before Spring bank holiday plus 1", from: NewDate(2026, 5, 22), n: 1, want: NewDate(2026, 5, 26)},
		{name: "Christmas 2026 with Boxing Day substitute", from: NewDate(2026, 12, 24), n: 1, want: NewDate(2026, 12, 29)},
		{name: "from a Saturday", from: NewDate(2026, 1, 10), n: 1, want: NewDate(2026, 1, 12)},
		{name: "zero", from: NewDate(2026, 1, 10), n: 0, want: NewDate(2026, 1, 10)},
		{name: "backwards over Easter", from: NewDate(2026, 4, 7), n: -1, want: NewDate(2026, 4, 2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.AddBusinessDays(tt.from, tt.n); got != tt.want {
				t.Errorf("AddBusinessDays(%v, %d) = %v, want %v", tt.from, tt.n, got, tt.want)
			}
		})
	}
}

func TestBusinessDaysAfter(t *testing.T) {
	c := Default()
	tests := []struct {
		name     string
		from, to Date
		want     int
	}{
		{name: "Monday to Thursday", from: NewDate(2026, 6, 1), to: NewDate(2026, 6, 4), want: 3},
		{name: "Monday to Friday", from: NewDate(2026, 6, 1), to: NewDate(2026, 6, 5), want: 4},
		{name: "Friday to Tuesday over the Spring bank holiday", from: NewDate(2026, 5, 22), to: NewDate(2026, 5, 26), want: 1},
		{name: "Thursday before Easter to Thursday after", from: NewDate(2026, 4, 2), to: NewDate(2026, 4, 9), want: 3},
		{name: "same day", from: NewDate(2026, 6, 1), to: NewDate(2026, 6, 1), want: 0},
		{name: "backwards", from: NewDate(2026, 6, 5), to: NewDate(2026, 6, 1), want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.BusinessDaysAfter(tt.from, tt.to); got != tt.want {
				t.Errorf("BusinessDaysAfter(%v, %v) = %d, want %d", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestCallerSuppliedCalendar(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	// 2026-05-01 (Friday) is a holiday in France, not in England.
	fr := New(paris, FromDates([]Date{NewDate(2026, 5, 1), NewDate(2026, 5, 1)}))
	if fr.IsBusinessDay(NewDate(2026, 5, 1)) {
		t.Error("2026-05-01 is a business day in the caller's calendar")
	}
	if !fr.IsBusinessDay(NewDate(2026, 5, 4)) {
		t.Error("2026-05-04 (an English bank holiday) is not a business day in the caller's calendar")
	}
	if got := fr.Date(mustTime(t, "2026-01-15T23:30:00Z")); got != NewDate(2026, 1, 16) {
		t.Errorf("Paris date of 23:30 UTC = %v, want 2026-01-16", got)
	}
	if len(fr.Holidays()) != 1 {
		t.Errorf("duplicate holiday kept: %v", fr.Holidays())
	}
	moved := Default().WithLocation(paris)
	if moved.Location() != paris || moved.IsBusinessDay(NewDate(2026, 5, 4)) {
		t.Error("WithLocation lost the time zone or the holidays")
	}
	if New(nil, nil).Location().String() != DefaultZone {
		t.Error("New(nil, nil) is not in Europe/London")
	}
}

func TestCovers(t *testing.T) {
	c := Default()
	for _, tt := range []struct {
		d    Date
		want bool
	}{{NewDate(2024, 12, 31), false}, {NewDate(2025, 1, 1), true}, {NewDate(2030, 12, 31), true}, {NewDate(2031, 1, 1), false}} {
		if got := c.Covers(tt.d); got != tt.want {
			t.Errorf("Covers(%v) = %v, want %v", tt.d, got, tt.want)
		}
	}
	if New(nil, nil).Covers(NewDate(2026, 1, 1)) {
		t.Error("an empty calendar covers 2026")
	}
}
