package match

import (
	"time"

	"github.com/ceplus/ceplus/shared/eol"
	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/rules"
)

// KindUnsupported is a finding for an operating system release its vendor no longer
// supports (RULES.md §1.4): it fails the device whatever its packages.
const KindUnsupported = "unsupported_os"

// osSupport checks the device's OS release against the embedded lifecycle data for a test at
// now. It returns the status (nil when the release is not in the data, with the reason) and,
// for a release out of support, the unsupported finding whose Reason says which support
// period applied and when it ended.
func osSupport(d inventory.Device, now time.Time) (*eol.Status, string, *Finding) {
	s, err := eol.Check(d, d.ESM, now)
	if err != nil {
		return nil, err.Error() + "; the OS support status is not checked", nil
	}
	if s.Supported {
		return &s, "", nil
	}
	class := Class(rules.ClassifyFinding(rules.Finding{Package: s.Release.Label, Installed: d.OSVersion, Unsupported: true}, now, nil))
	f := &Finding{Kind: KindUnsupported, IDs: []string{}, Package: s.Release.Label, Ecosystem: d.Ecosystem,
		Installed: d.OSVersion, Class: class, Reason: s.Text(), Severity: Severity{},
		Evidence: []Evidence{{Record: s.Release.Source + ": " + s.Release.Product + " " + s.Release.Cycle, Class: class}}}
	if s.Period != nil && !s.Period.End.IsZero() {
		f.FixDate, f.FixDateSource = s.Period.End.String(), "end of "+s.Period.Name
		f.Evidence[0].FixDate = f.FixDate
	}
	return &s, "", f
}
