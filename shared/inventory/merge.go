package inventory

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Merge combines the results of several sources into one Inventory collected at `at`.
// Device facts are taken field by field from the first result that sets them; lists are
// concatenated and sorted; the build key is derived from the merged device facts.
func Merge(at time.Time, results []Result) *Inventory {
	inv := &Inventory{Schema: SchemaVersion, CollectedAt: at.UTC(), Packages: []Package{}, PendingUpdates: []PendingUpdate{}, Sources: []SourceStatus{}}
	for _, r := range results {
		mergeDevice(&inv.Device, r.Device)
		inv.Packages = append(inv.Packages, r.Packages...)
		inv.PendingUpdates = append(inv.PendingUpdates, r.PendingUpdates...)
		inv.InstalledUpdates = append(inv.InstalledUpdates, r.InstalledUpdates...)
		inv.Applications = append(inv.Applications, r.Applications...)
		inv.Sources = append(inv.Sources, r.Status)
	}
	if inv.Device.Build == "" && inv.Device.OSFamily != "" {
		inv.Device.Build = BuildKey(inv.Device)
	}
	inv.Normalize()
	return inv
}

func mergeDevice(dst *Device, src Device) {
	set := func(d *string, s string) {
		if *d == "" {
			*d = s
		}
	}
	set(&dst.Hostname, src.Hostname)
	set(&dst.MachineID, src.MachineID)
	set(&dst.OSFamily, src.OSFamily)
	set(&dst.OSName, src.OSName)
	set(&dst.OSVersion, src.OSVersion)
	set(&dst.Edition, src.Edition)
	set(&dst.FeatureUpdate, src.FeatureUpdate)
	set(&dst.OSBuild, src.OSBuild)
	set(&dst.Kernel, src.Kernel)
	set(&dst.Arch, src.Arch)
	set(&dst.Ecosystem, src.Ecosystem)
	set(&dst.Build, src.Build)
	dst.ESM = dst.ESM || src.ESM // any source that reports the enrolment
}

// Normalize sorts every list into its canonical order, so that equal content encodes equally.
func (inv *Inventory) Normalize() {
	slices.SortFunc(inv.Packages, comparePackages)
	slices.SortFunc(inv.PendingUpdates, comparePendingUpdates)
	slices.SortFunc(inv.InstalledUpdates, compareInstalledUpdates)
	slices.SortFunc(inv.Applications, compareApplications)
	slices.SortFunc(inv.Sources, func(a, b SourceStatus) int { return cmp.Compare(a.Name, b.Name) })
}

// The canonical orders of Normalize (and of ContentHash).

func comparePackages(a, b Package) int {
	if c := strings.Compare(a.Ecosystem, b.Ecosystem); c != 0 {
		return c
	}
	if c := strings.Compare(a.Name, b.Name); c != 0 {
		return c
	}
	if c := strings.Compare(a.Arch, b.Arch); c != 0 {
		return c
	}
	return strings.Compare(a.Version, b.Version)
}

func comparePendingUpdates(a, b PendingUpdate) int {
	return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Arch, b.Arch), cmp.Compare(a.Candidate, b.Candidate))
}

func compareInstalledUpdates(a, b InstalledUpdate) int { return cmp.Compare(a.ID, b.ID) }

func compareApplications(a, b Application) int {
	return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Version, b.Version), cmp.Compare(a.ID, b.ID))
}
