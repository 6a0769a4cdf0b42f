package calendar

import (
	"testing"
	"time"
)

func TestDateMatchesTimePackage(t *testing.T) {
	// Every day from 1899 to 2101 (leap years, century rules) against the time package.
	start := time.Date(1899, 1, 1, 12, 0, 0, 0, time.UTC)
	d0 := DateOf(start)
	for i := 0; i < 202*366; i++ {
		tt := start.AddDate(0, 0, i)
		want := DateOf(tt)
		got := d0.AddDays(i)
		if got != want {
			t.Fatalf("day %d: AddDays = %v, want %v", i, got, want)
		}
		if got.Weekday() != tt.Weekday() {
			t.Fatalf("%v: Weekday = %v, want %v", got, got.Weekday(), tt.Weekday())
		}
		if n := got.DaysSince(d0); n != i {
			t.Fatalf("%v: DaysSince = %d, want %d", got, n, i)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		name, in string
		want     Date
		wantErr  bool
	}{
		{name: "ordinary", in: "2026-05-04", want: Date{2026, time.May, 4}},
		{name: "leap day", in: "2028-02-29", want: Date{2028, time.February, 29}},
		{name: "no leap day", in: "2026-02-29", wantErr: true},
		{name: "month 13", in: "2026-13-01", wantErr: true},
		{name: "day 0", in: "2026-01-00", wantErr: true},
		{name: "short", in: "2026-1-01", wantErr: true},
		{name: "timestamp", in: "2026-01-01T00:00:00Z", wantErr: true},
		{name: "slashes", in: "2026/01/01", wantErr: true},
		{name: "letters", in: "2026-0a-01", wantErr: true},
		{name: "empty", in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDate(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseDate(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ParseDate(%q) = %v, want %v", tt.in, got, tt.want)
			}
			if err == nil && got.String() != tt.in {
				t.Errorf("String() = %q, want %q", got.String(), tt.in)
			}
		})
	}
}

func TestDateCompareAndText(t *testing.T) {
	a, b := NewDate(2026, 5, 31), NewDate(2026, 6, 1)
	if !a.Before(b) || a.After(b) || b.Before(a) || !b.After(a) || a.Compare(a) != 0 {
		t.Errorf("ordering of %v and %v is wrong", a, b)
	}
	if got := NewDate(2026, 2, 30); got != (Date{2026, time.March, 2}) {
		t.Errorf("NewDate(2026, 2, 30) = %v, want 2026-03-02", got)
	}
	var d Date
	if err := d.UnmarshalText([]byte("2030-12-26")); err != nil || d != NewDate(2030, 12, 26) {
		t.Errorf("UnmarshalText = %v, %v", d, err)
	}
	if err := d.UnmarshalText([]byte("26/12/2030")); err == nil {
		t.Error("UnmarshalText accepted 26/12/2030")
	}
	if b, _ := NewDate(2030, 1, 2).MarshalText(); string(b) != "2030-01-02" {
		t.Errorf("MarshalText = %s", b)
	}
	if !(Date{}).IsZero() || a.IsZero() {
		t.Error("IsZero is wrong")
	}
}
