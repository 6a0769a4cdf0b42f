package rules

import (
	"time"

	"github.com/ceplus/ceplus/shared/calendar"
)

// ts parses an RFC 3339 time for test tables.
func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// day parses a YYYY-MM-DD date for test tables.
func day(s string) calendar.Date {
	d, err := calendar.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func dayPtr(s string) *calendar.Date { d := day(s); return &d }

func cvss(v float64) *Severity { return &Severity{CVSS3: &v} }

func vendor(s string) *Severity { return &Severity{Vendor: s} }

// vuln is a failing finding: CVSS 9.8, fix released on released.
func vuln(released, pkg, fixed string, ids ...string) Finding {
	return Finding{IDs: ids, Package: pkg, Installed: "1.0", Fixed: fixed, Severity: cvss(9.8), FixReleased: dayPtr(released)}
}

func drawn(at string, sample int, ids ...string) Event {
	return Event{At: ts(at), Kind: EventSampleDrawn, Sample: sample, Devices: ids}
}

func declared(at string, ids ...string) Event {
	return Event{At: ts(at), Kind: EventSampleDeclared, Sample: 2, Devices: ids}
}

func tested(at string, sample int, dev string, fs ...Finding) Event {
	if fs == nil {
		fs = []Finding{}
	}
	return Event{At: ts(at), Kind: EventDeviceTested, Sample: sample, Device: dev, Findings: fs}
}

func refused(at string) Event { return Event{At: ts(at), Kind: EventSample2Refused} }

// estate is the scope of most CE+ tests: six Windows laptops (sample size 3) and two Macs
// (sample size 2: a total-coverage build for Sample 2).
func estate() []Device {
	var ds []Device
	for _, id := range []string{"w1", "w2", "w3", "w4", "w5", "w6"} {
		ds = append(ds, Device{ID: id, Type: "laptop", Build: "Windows 11 Pro 24H2"})
	}
	return append(ds, Device{ID: "m1", Type: "laptop", Build: "macOS 14"}, Device{ID: "m2", Type: "laptop", Build: "macOS 14"})
}

var (
	sample1 = []string{"w1", "w2", "w3", "m1", "m2"}
	sample2 = []string{"w4", "w5", "w6", "m1", "m2"}
	// openssl is the Sample 1 failure of most CE+ tests (fix released long before the tests).
	openssl = vuln("2026-04-01", "openssl", "3.0.19-1~deb12u3", "CVE-2026-1111", "DSA-6100-1")
)

// s1Tested tests every Sample 1 device at at, giving dev the findings fs and the others none.
func s1Tested(at, dev string, fs ...Finding) []Event {
	var out []Event
	for _, id := range sample1 {
		if id == dev {
			out = append(out, tested(at, 1, id, fs...))
		} else {
			out = append(out, tested(at, 1, id))
		}
	}
	return out
}

// s2Tested tests every Sample 2 device at at, giving dev the findings fs and the others none.
func s2Tested(at, dev string, fs ...Finding) []Event {
	var out []Event
	for _, id := range sample2 {
		if id == dev {
			out = append(out, tested(at, 2, id, fs...))
		} else {
			out = append(out, tested(at, 2, id))
		}
	}
	return out
}

// failedThenFixed is the usual history up to a Sample 2 draw and declaration: Sample 1 drawn
// 2026-05-01, w2 fails openssl on 2026-05-05 (window to 2026-06-04), all retested clean on
// 2026-05-20, Sample 2 drawn 2026-05-21 and declared 2026-05-22 (Friday before the Spring bank
// holiday).
func failedThenFixed() []Event {
	ev := []Event{{At: ts("2026-05-01T08:00:00Z"), Kind: EventScopeFrozen}, drawn("2026-05-01T08:05:00Z", 1, sample1...)}
	ev = append(ev, s1Tested("2026-05-05T10:00:00Z", "w2", openssl)...)
	ev = append(ev, s1Tested("2026-05-20T10:00:00Z", "")...)
	return append(ev, drawn("2026-05-21T09:00:00Z", 2, sample2...), declared("2026-05-22T09:00:00Z", sample2...))
}

func concat(evs ...[]Event) []Event {
	var out []Event
	for _, e := range evs {
		out = append(out, e...)
	}
	return out
}
