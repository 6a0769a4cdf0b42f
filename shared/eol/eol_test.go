package eol

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/google/go-cmp/cmp"
)

// at returns noon UTC on the date (the same date in Europe/London).
func at(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t.Add(12 * time.Hour)
}

func TestCheckAtDateEdges(t *testing.T) {
	deb12 := inventory.Device{OSFamily: inventory.FamilyDebian, OSName: "Debian GNU/Linux", OSVersion: "12.11"}
	deb10 := inventory.Device{OSFamily: inventory.FamilyDebian, OSVersion: "10"}
	u2004 := inventory.Device{OSFamily: inventory.FamilyUbuntu, OSVersion: "20.04.6"}
	win11pro := inventory.Device{OSFamily: inventory.FamilyWindows, OSVersion: "11", Edition: "Pro", FeatureUpdate: "24H2"}
	win11ent := inventory.Device{OSFamily: inventory.FamilyWindows, OSVersion: "11", Edition: "Enterprise", FeatureUpdate: "24H2"}
	win11ltsc := inventory.Device{OSFamily: inventory.FamilyWindows, OSVersion: "11", Edition: "Enterprise LTSC 2024", FeatureUpdate: "24H2"}
	win10 := inventory.Device{OSFamily: inventory.FamilyWindows, OSVersion: "10", Edition: "Pro", FeatureUpdate: "22H2"}
	srv2012 := inventory.Device{OSFamily: inventory.FamilyWindows, OSVersion: "Server 2012 R2", Edition: "Datacenter"}
	srv2022 := inventory.Device{OSFamily: inventory.FamilyWindows, OSVersion: "Server 2022", Edition: "Standard", FeatureUpdate: "21H2"}
	tests := []struct {
		name      string
		dev       inventory.Device
		enrolled  bool
		now       time.Time
		supported bool
		period    string
		end       string
	}{
		{"debian 12 on the last day of security support", deb12, false, at("2026-07-11"), true, "Debian security support", "2026-07-11"},
		{"debian 12 the day after: Debian LTS counts", deb12, false, at("2026-07-12"), true, "Debian LTS", "2028-06-30"},
		{"debian 12 on the last day of LTS", deb12, false, at("2028-06-30"), true, "Debian LTS", "2028-06-30"},
		{"debian 12 after LTS: unsupported", deb12, false, at("2028-07-01"), false, "Debian LTS", "2028-06-30"},
		{"debian 12 after LTS with ELTS enrolment", deb12, true, at("2028-07-01"), true, "Extended LTS (Freexian, by subscription)", "2033-06-30"},
		{"debian 10 after its LTS", deb10, false, at("2024-07-01"), false, "Debian LTS", "2024-06-30"},
		{"ubuntu 20.04 on the last day of standard support", u2004, false, at("2025-05-29"), true, "Ubuntu standard security maintenance", "2025-05-29"},
		{"ubuntu 20.04 the day after, not enrolled in ESM", u2004, false, at("2025-05-30"), false, "Ubuntu standard security maintenance", "2025-05-29"},
		{"ubuntu 20.04 the day after, enrolled in ESM", u2004, true, at("2025-05-30"), true, "Ubuntu Pro Expanded Security Maintenance", "2030-04-23"},
		{"windows 11 24H2 Pro on its last day", win11pro, false, at("2026-10-13"), true, "Microsoft servicing (security updates)", "2026-10-13"},
		{"windows 11 24H2 Pro the day after", win11pro, false, at("2026-10-14"), false, "Microsoft servicing (security updates)", "2026-10-13"},
		{"windows 11 24H2 Enterprise the same day: a year more", win11ent, false, at("2026-10-14"), true, "Microsoft servicing (security updates)", "2027-10-12"},
		{"windows 11 24H2 LTSC", win11ltsc, false, at("2028-01-01"), true, "Microsoft servicing (security updates)", "2029-10-09"},
		{"windows 10 22H2 after servicing, no ESU", win10, false, at("2025-10-15"), false, "Microsoft servicing (security updates)", "2025-10-14"},
		{"windows 10 22H2 after servicing, enrolled in ESU", win10, true, at("2025-10-15"), true, "Extended Security Updates (paid enrolment)", "2028-10-10"},
		{"windows server 2012 R2 without ESU", srv2012, false, at("2024-01-01"), false, "Microsoft extended support (security updates)", "2023-10-10"},
		{"windows server 2012 R2 with ESU", srv2012, true, at("2024-01-01"), true, "Extended Security Updates (paid enrolment)", "2026-10-13"},
		{"windows server 2022", srv2022, false, at("2026-11-22"), true, "Microsoft extended support (security updates)", "2031-10-14"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Check(tt.dev, tt.enrolled, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			if s.Supported != tt.supported || s.Period == nil || s.Period.Name != tt.period || s.Period.End.String() != tt.end {
				t.Errorf("Check = supported %v, period %+v; want %v, %q until %s (%s)", s.Supported, s.Period, tt.supported, tt.period, tt.end, s.Text())
			}
		})
	}
}

// TestCheckUsesLondonDate: a test late on 13 October UTC is already the 14th in London (BST).
func TestCheckUsesLondonDate(t *testing.T) {
	d := inventory.Device{OSFamily: inventory.FamilyWindows, OSVersion: "11", Edition: "Home", FeatureUpdate: "24H2"}
	for _, tt := range []struct {
		name      string
		now       time.Time
		supported bool
	}{
		{"22:59 UTC is 23:59 in London", time.Date(2026, 10, 13, 22, 59, 0, 0, time.UTC), true},
		{"23:30 UTC is the next day in London", time.Date(2026, 10, 13, 23, 30, 0, 0, time.UTC), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Check(d, false, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			if s.Supported != tt.supported {
				t.Errorf("supported = %v on %s, want %v", s.Supported, s.Date, tt.supported)
			}
		})
	}
}

func TestCheckOngoingAndDatedMacOS(t *testing.T) {
	s, err := Check(inventory.Device{OSFamily: inventory.FamilyMacOS, OSVersion: "15.7.1"}, false, at("2026-11-22"))
	if err != nil {
		t.Fatal(err)
	}
	if !s.Supported || !s.Period.Ongoing || !strings.Contains(s.Text(), "no end date published") {
		t.Errorf("macOS 15: %s", s.Text())
	}
	s, err = Check(inventory.Device{OSFamily: inventory.FamilyMacOS, OSVersion: "13.6"}, false, at("2026-11-22"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Supported || s.Period.End.String() != "2025-09-15" {
		t.Errorf("macOS 13: %s", s.Text())
	}
	s, err = Check(inventory.Device{OSFamily: inventory.FamilyMacOS, OSVersion: "10.14.6"}, false, at("2026-11-22"))
	if err != nil || s.Release.Cycle != "10.14" || s.Supported {
		t.Errorf("macOS 10.14: %+v, %v", s, err)
	}
}

func TestLookupOtherDistros(t *testing.T) {
	tests := []struct {
		name  string
		dev   inventory.Device
		cycle string
	}{
		{"alpine patch release", inventory.Device{OSFamily: inventory.FamilyAlpine, OSVersion: "3.20.3"}, "3.20"},
		{"rhel minor", inventory.Device{OSFamily: inventory.FamilyRHEL, OSVersion: "9.4"}, "9"},
		{"rocky", inventory.Device{OSFamily: inventory.FamilyRocky, OSVersion: "8.10"}, "8"},
		{"alma", inventory.Device{OSFamily: inventory.FamilyAlmaLinux, OSVersion: "9.5"}, "9"},
		{"ubuntu", inventory.Device{OSFamily: inventory.FamilyUbuntu, OSVersion: "24.04"}, "24.04"},
		{"windows 10 edition-less cycle", inventory.Device{OSFamily: inventory.FamilyWindows, OSVersion: "10", Edition: "Pro", FeatureUpdate: "21H1"}, "10-21h1"},
		{"windows server annual channel", inventory.Device{OSFamily: inventory.FamilyWindows, OSVersion: "Server", Edition: "Datacenter", FeatureUpdate: "23H2"}, "23h2-ac"},
		{"windows 8.1", inventory.Device{OSFamily: inventory.FamilyWindows, OSVersion: "8.1", Edition: "Pro"}, "8.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Lookup(tt.dev)
			if err != nil {
				t.Fatal(err)
			}
			if r.Cycle != tt.cycle || len(r.Periods) == 0 {
				t.Errorf("Lookup = %s with %d periods, want cycle %s", r.Cycle, len(r.Periods), tt.cycle)
			}
		})
	}
}

func TestLookupUnknown(t *testing.T) {
	for _, d := range []inventory.Device{
		{OSFamily: inventory.FamilyFedora, OSVersion: "40"},
		{OSFamily: inventory.FamilyDebian, OSVersion: "99"},
		{OSFamily: inventory.FamilyWindows, OSVersion: "11", Edition: "Pro", FeatureUpdate: "99H9"},
	} {
		if _, err := Lookup(d); !errors.Is(err, ErrUnknown) {
			t.Errorf("Lookup(%+v) error = %v, want ErrUnknown", d, err)
		}
	}
}

// TestEmbeddedData checks every embedded file: it parses, every release has a period, and
// periods that the files say need an enrolment are marked so.
func TestEmbeddedData(t *testing.T) {
	ts, err := load()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"almalinux.tsv", "alpine.tsv", "debian.tsv", "macos.tsv", "rhel.tsv", "rocky.tsv", "ubuntu.tsv", "windows-server.tsv", "windows.tsv"}
	var got []string
	for name, tb := range ts {
		got = append(got, name)
		for c, r := range tb.releases {
			if len(r.Periods) == 0 || r.Periods[0].Enrolment {
				t.Errorf("%s %s: first period must exist and count without enrolment: %+v", name, c, r.Periods)
			}
		}
	}
	if diff := cmp.Diff(want, slices.Sorted(slices.Values(got))); diff != "" {
		t.Errorf("data files (-want +got):\n%s", diff)
	}
	deb := ts["debian.tsv"].releases["12"]
	wantDeb := Release{Product: "Debian", Cycle: "12", Label: "Debian 12 (Bookworm)", Released: calendar.NewDate(2023, 6, 10),
		Source: "shared/eol/data/debian.tsv", Periods: []Period{
			{Name: "Debian security support", End: calendar.NewDate(2026, 7, 11)},
			{Name: "Debian LTS", End: calendar.NewDate(2028, 6, 30)},
			{Name: "Extended LTS (Freexian, by subscription)", End: calendar.NewDate(2033, 6, 30), Enrolment: true}}}
	if diff := cmp.Diff(wantDeb, deb); diff != "" {
		t.Errorf("Debian 12 (-want +got):\n%s", diff)
	}
}

func TestParseTableErrors(t *testing.T) {
	good := "# X release lifecycle\n#period\ts\tSupport\talways\ncycle\tlabel\treleased\ts\n"
	tests := []struct{ name, in, want string }{
		{"period without kind", "# X release lifecycle\n#period\ts\tSupport\ncycle\tlabel\treleased\ts\n1\tX 1\t2020-01-01\t2021-01-01\n", "want #period"},
		{"column without period", "# X release lifecycle\ncycle\tlabel\treleased\ts\n", "no #period line"},
		{"bad date", good + "1\tX 1\t2020-01-01\t2021-13-01\n", "s end"},
		{"short row", good + "1\tX 1\t2020-01-01\n", "3 fields"},
		{"duplicate cycle", good + "1\tX 1\t\tongoing\n1\tX 1\t\tended\n", "twice"},
		{"no releases", good, "no title, header or releases"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseTable("x.tsv", strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("parseTable error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
