package dpkg

import (
	"io/fs"
	"net/url"
	"strings"
)

// esmHost is the archive of Ubuntu Pro's Expanded Security Maintenance (ESM Infra and ESM Apps).
const esmHost = "esm.ubuntu.com"

// esmEnrolled reports whether an Ubuntu system is enrolled in ESM: apt has an enabled source on
// esm.ubuntu.com, which Ubuntu Pro configures only when the machine is attached (`pro attach`),
// together with its credentials in etc/apt/auth.conf.d. A source without any credentials file is
// not counted: apt could not fetch from it, so no ESM update would ever arrive.
func esmEnrolled(fsys fs.FS, sources []sourceEntry) bool {
	configured := false
	for _, s := range sources {
		if u, err := url.Parse(s.URI); err == nil && strings.EqualFold(u.Hostname(), esmHost) {
			configured = true
			break
		}
	}
	if !configured {
		return false
	}
	entries, err := fs.ReadDir(fsys, "etc/apt/auth.conf.d")
	if err != nil {
		return false
	}
	for _, e := range entries {
		b, err := fs.ReadFile(fsys, "etc/apt/auth.conf.d/"+e.Name())
		if err == nil && strings.Contains(string(b), esmHost) {
			return true
		}
	}
	return false
}
