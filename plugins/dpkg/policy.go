package dpkg

import (
	"math"
	"slices"
	"strings"
)

// pkgFile is one package file as apt's cache knows it: a Packages list with the fields of its
// Release file, or the dpkg status file.
type pkgFile struct {
	// Name is the list's file name in var/lib/apt/lists, or "status".
	Name      string
	Rel       release
	Site      string
	Component string
	Arch      string
	// Status marks the dpkg status file (apt's NotSource flag): it offers only the installed
	// version and has priority 100.
	Status bool
	// prio is the file's priority after defaults and default pins.
	prio int
}

// aptVersion is one version of a package and the files that offer it, in cache order.
type aptVersion struct {
	Version string
	// Arch is the Architecture field of the stanza ("amd64", "all").
	Arch   string
	Source string
	Files  []int
	ident  verIdent
}

// aptPackage is a package with a current version as apt sees it: a name and an apt
// architecture (the native one for Architecture: all).
type aptPackage struct {
	Name      string
	Arch      string
	Installed string
	// installedIdent identifies the installed build; inst is its version once known.
	installedIdent verIdent
	inst           *aptVersion
	Versions       []*aptVersion
}

// version returns the version of that string and build, if the package has it.
func (p *aptPackage) version(v string, id verIdent) *aptVersion {
	for _, av := range p.Versions {
		if av.Version == v && av.ident.sameBuild(id) {
			return av
		}
	}
	return nil
}

// setFilePriorities gives each file apt's default priority (500; 100 for the status file and
// for NotAutomatic+ButAutomaticUpgrades suites; 1 for NotAutomatic suites), then applies the
// default pins ("Package: *"), the first matching pin winning as in apt's InitDefaults.
func setFilePriorities(files []pkgFile, pins []pin) {
	for i := range files {
		f := &files[i]
		switch {
		case f.Status:
			f.prio = 100
		case f.Rel.NotAutomatic && f.Rel.ButAutomaticUpgrades:
			f.prio = 100
		case f.Rel.NotAutomatic:
			f.prio = 1
		default:
			f.prio = 500
		}
		for j := range pins {
			if pins[j].pkgs == nil && pins[j].fileMatches(f) {
				f.prio = pins[j].priority
				break
			}
		}
	}
}

// versionPriority is apt's pkgPolicy::GetPriority(Ver, true): the priority of the first
// package pin that selects this version, else the highest priority of the files offering it.
// The status file counts only for the installed version.
func versionPriority(p *aptPackage, v *aptVersion, files []pkgFile, pins []pin, native string) int {
	for i := range pins {
		pn := &pins[i]
		if pn.pkgs != nil && pn.selects(p.Name, p.Arch, v.Source, native) && pn.versionMatches(v, files) {
			return pn.priority
		}
	}
	prio := math.MinInt
	for _, fi := range v.Files {
		f := &files[fi]
		if f.Status && v != p.inst {
			continue
		}
		prio = max(prio, f.prio)
	}
	if prio == math.MinInt {
		return 0
	}
	return prio
}

// candidate is apt's pkgPolicy::GetCandidateVer. Versions are visited from the highest down;
// a version becomes the candidate when its priority beats every higher version's; at the
// installed version the bar rises to 1000, so that only a pin of more than 1000 can select a
// lower version (a downgrade). Versions with priority 0 or less are never chosen over nothing
// but the installed version.
func candidate(p *aptPackage, files []pkgFile, pins []pin, native string) *aptVersion {
	slices.SortStableFunc(p.Versions, func(a, b *aptVersion) int { return compareVersions(b.Version, a.Version) })
	var pref *aptVersion
	best := 0
	for _, v := range p.Versions {
		if prio := versionPriority(p, v, files, pins, native); prio > best {
			pref, best = v, prio
		}
		if v == p.inst && best < 1000 {
			if pref == nil {
				pref = v
			}
			best = 1000
		}
	}
	return pref
}

// archives is the suite list `apt list` prints after the package name: the Suite (archive) of
// every file offering the version, in cache order, "unknown" for a file without one.
func archives(v *aptVersion, files []pkgFile) []string {
	var out []string
	for _, fi := range v.Files {
		f := &files[fi]
		if f.Status {
			out = append(out, "now")
			continue
		}
		if f.Rel.Suite == "" {
			out = append(out, "unknown")
			continue
		}
		out = append(out, f.Rel.Suite)
	}
	return out
}

// relStr is apt's VerIterator::RelStr, the origin apt-get prints for a version
// ("Debian-Security:12/stable-security"): Label:Version/Suite for each release offering the
// version, the site when a file has no Release file, joined by ", ". A release already printed
// (same label, version and suite, as when two mirrors offer it) is printed once; checked
// against apt-get -s, which prints "Ubuntu:22.04/jammy-updates, Ubuntu:22.04/jammy-security".
func relStr(v *aptVersion, files []pkgFile) string {
	var parts []string
	for i, fi := range v.Files {
		f := &files[fi]
		if f.Status {
			continue
		}
		seen := false
		for _, fj := range v.Files[:i] {
			g := &files[fj]
			if !g.Status && f.Rel.Label != "" && g.Rel.Label == f.Rel.Label && g.Rel.Version == f.Rel.Version && g.Rel.Suite == f.Rel.Suite {
				seen = true
				break
			}
		}
		if seen {
			continue
		}
		var s strings.Builder
		if f.Rel.Label != "" {
			s.WriteString(f.Rel.Label + ":")
		}
		switch {
		case f.Rel.Suite != "" && f.Rel.Version != "":
			s.WriteString(f.Rel.Version + "/" + f.Rel.Suite)
		case f.Rel.Suite != "":
			s.WriteString(f.Rel.Suite)
		case f.Site != "":
			s.WriteString(f.Site)
		default:
			s.WriteString("localhost")
		}
		parts = append(parts, s.String())
	}
	return strings.Join(parts, ", ")
}

// isSecurity reports whether any file offering the version is a security suite: its suite or
// codename ends in "-security" (Debian's stable-security and bookworm-security, Ubuntu's
// jammy-security), or its label is "Debian-Security".
func isSecurity(v *aptVersion, files []pkgFile) bool {
	for _, fi := range v.Files {
		f := &files[fi]
		if f.Status {
			continue
		}
		if strings.HasSuffix(f.Rel.Suite, "-security") || strings.HasSuffix(f.Rel.Codename, "-security") || f.Rel.Label == "Debian-Security" {
			return true
		}
	}
	return false
}
