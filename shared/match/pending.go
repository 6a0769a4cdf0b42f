package match

import (
	"slices"
	"strings"
	"time"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/vulndb"
)

// pendingFindings returns a finding for every pending update the OS marks as a security update
// that no advisory finding explains (no finding for that package). Its severity is the OS's
// word when it reports one, otherwise none (treated as high); its fix date is the OS's release
// date when known, else flagged missing. explained holds the names of the packages with a
// finding.
func pendingFindings(inv *inventory.Inventory, explained map[string]bool) []Finding {
	var out []Finding
	for _, u := range inv.PendingUpdates {
		if !u.Security || explained[u.Name] {
			continue
		}
		f := Finding{Kind: KindPendingUpdate, IDs: slices.Clone(u.IDs), Package: u.Name, Arch: u.Arch,
			Installed: u.Installed, Fixed: u.Candidate, Ecosystem: inv.Device.Ecosystem}
		if f.IDs == nil {
			f.IDs = []string{}
		}
		if u.Severity != "" {
			f.Severity.Vendor = &vulndb.Vendor{Severity: strings.ToLower(u.Severity), Source: "os pending update"}
		}
		e := Evidence{Record: "os pending update from " + u.Origin, Fixed: u.Candidate, DateFlag: DateMissing}
		if t, err := time.Parse(dateLayout, u.Released); err == nil {
			e.FixDate, e.DateFlag = t.Format(dateLayout), ""
		} else if u.Released != "" {
			e.DateFlag = DateMalformed
		}
		f.Evidence = []Evidence{e}
		out = append(out, f)
	}
	return out
}
