package exposure

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/ceplus/ceplus/shared/vulndb"
)

// pinned is a distribution package version read from nmap's version string.
type pinned struct {
	// version is the package version without epoch ("9.2p1-2+deb12u3").
	version string
	// release is the distribution release the revision names ("12"); empty when it names none.
	release string
}

// Release markers inside a dpkg revision: Debian's security and point-release suffixes
// ("+deb12u3", "~deb12u1"), backports ("~bpo12+1") and Ubuntu's release-tagged uploads
// ("~22.04.1").
var (
	debianRelease = regexp.MustCompile(`(?:deb|bpo)(\d+)`)
	ubuntuRelease = regexp.MustCompile(`~(\d\d\.\d\d)`)
)

// pinPackage reads a dpkg package version from nmap's version string when nmap shows the
// upstream version, the distribution marker and the package revision, as OpenSSH does on Debian
// and Ubuntu ("9.2p1 Debian 2+deb12u3", "8.9p1 Ubuntu 3ubuntu0.10"). ok is true only when all
// three are there and the revision names the release: other distributions' services never
// show their package release.
func pinPackage(ecosystem, marker, nmapVersion string) (pin pinned, ok bool) {
	if marker == "" || ecosystem != "Debian" && ecosystem != "Ubuntu" {
		return pinned{}, false
	}
	f := strings.Fields(nmapVersion)
	i := slices.Index(f, marker)
	if i != 1 || len(f) != 3 || f[2] == "" || f[2][0] < '0' || f[2][0] > '9' {
		return pinned{}, false
	}
	pin.version = f[0] + "-" + f[2]
	re := debianRelease
	if ecosystem == "Ubuntu" {
		re = ubuntuRelease
	}
	m := re.FindStringSubmatch(f[2])
	if m == nil {
		return pin, false
	}
	pin.release = m[1]
	return pin, true
}

// withEpoch puts the package's epoch in front of a dpkg version read from a banner, which never
// shows it: without it, "9.2p1-2+deb12u3" sorts below every "1:9.2p1-…" and every record would
// seem to affect it. The epoch is read from the snapshot's own versions of the package; records
// that disagree make the version impossible to place (problem says so). Other ecosystems and
// versions that carry an epoch are returned unchanged.
func withEpoch(snap *vulndb.Snapshot, eco vulndb.Eco, name, version string) (string, string) {
	if eco.Base != "Debian" && eco.Base != "Ubuntu" || strings.Contains(version, ":") {
		return version, ""
	}
	epochs := map[string]bool{}
	note := func(v string) {
		if v == "" || v == "0" {
			return
		}
		e, _, found := strings.Cut(v, ":")
		if !found {
			e = ""
		}
		epochs[e] = true
	}
	for _, en := range snap.Lookup(eco, name) {
		aff := snap.Record(en.Rec).Affected[en.Aff]
		for _, v := range aff.Versions {
			note(v)
		}
		for _, r := range aff.Ranges {
			for _, ev := range r.Events {
				note(ev.Introduced)
				note(ev.Fixed)
				note(ev.LastAffected)
				note(ev.Limit)
			}
		}
	}
	switch len(epochs) {
	case 0:
		return version, ""
	case 1:
		for e := range epochs {
			if e != "" {
				return e + ":" + version, ""
			}
		}
		return version, ""
	}
	seen := make([]string, 0, len(epochs))
	for e := range epochs {
		seen = append(seen, fmt.Sprintf("%q", e))
	}
	slices.Sort(seen)
	return version, fmt.Sprintf("records of %s in %s carry different epochs (%s): the banner's version %s cannot be placed",
		name, eco, strings.Join(seen, ", "), version)
}
