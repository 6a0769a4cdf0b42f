// Package osrelease reads os-release(5) files (/etc/os-release, /usr/lib/os-release) and turns
// them into inventory device facts and the OSV ecosystem of the OS packages.
package osrelease

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"

	"github.com/ceplus/ceplus/shared/inventory"
)

// Parse reads KEY=value lines, unquoting values as the shell would for the simple forms
// os-release allows. Comments and blank lines are skipped.
func Parse(r io.Reader) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			if uq, err := strconv.Unquote(`"` + strings.ReplaceAll(v[1:len(v)-1], `"`, `\"`) + `"`); err == nil {
				v = uq
			} else {
				v = v[1 : len(v)-1]
			}
		}
		out[k] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read os-release: %w", err)
	}
	return out, nil
}

// Read parses etc/os-release, falling back to usr/lib/os-release, from fsys (rooted at the
// system's root directory).
func Read(fsys fs.FS) (map[string]string, error) {
	for _, p := range []string{"etc/os-release", "usr/lib/os-release"} {
		f, err := fsys.Open(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", p, err)
		}
		defer f.Close()
		return Parse(f)
	}
	return nil, fmt.Errorf("no etc/os-release or usr/lib/os-release: %w", fs.ErrNotExist)
}

// Device returns the device facts os-release states: family (ID, mapped to the inventory
// families), name and version.
func Device(kv map[string]string) inventory.Device {
	d := inventory.Device{
		OSFamily:  Family(kv),
		OSName:    kv["NAME"],
		OSVersion: kv["VERSION_ID"],
	}
	if d.OSFamily == inventory.FamilyDebian && d.OSVersion == "" {
		// Debian testing/sid carry no VERSION_ID; the codename still names the release.
		d.OSVersion = kv["VERSION_CODENAME"]
	}
	d.Ecosystem = Ecosystem(kv)
	return d
}

// Family maps os-release ID (and ID_LIKE for derivatives) to an inventory OS family.
func Family(kv map[string]string) string {
	id := strings.ToLower(kv["ID"])
	switch id {
	case "debian", "ubuntu", "alpine", "rhel", "rocky", "almalinux", "fedora", "sles", "opensuse-leap":
		return id
	case "sled", "sles_sap":
		return inventory.FamilySUSE
	}
	return id
}

// Ecosystem returns the OSV ecosystem for the OS packages of the release kv describes, such as
// "Debian:12", "Ubuntu:24.04:LTS", "Alpine:v3.20", "Rocky Linux:9" or "AlmaLinux:9". Red Hat
// records are keyed by CPE-like suffixes (for example "Red Hat:enterprise_linux:9::baseos")
// that os-release cannot give, so RHEL yields plain "Red Hat". It returns "" for a release
// without an OSV ecosystem.
func Ecosystem(kv map[string]string) string {
	v := kv["VERSION_ID"]
	major, _, _ := strings.Cut(v, ".")
	switch Family(kv) {
	case inventory.FamilyDebian:
		if v == "" {
			return ""
		}
		return "Debian:" + major
	case inventory.FamilyUbuntu:
		eco := "Ubuntu:" + v
		if strings.Contains(kv["VERSION"], "LTS") || strings.Contains(kv["PRETTY_NAME"], "LTS") {
			eco += ":LTS"
		}
		return eco
	case inventory.FamilyAlpine:
		f := strings.Split(v, ".")
		if len(f) >= 2 {
			return "Alpine:v" + f[0] + "." + f[1]
		}
		return ""
	case inventory.FamilyRocky:
		return "Rocky Linux:" + major
	case inventory.FamilyAlmaLinux:
		return "AlmaLinux:" + major
	case inventory.FamilyRHEL:
		return "Red Hat"
	case inventory.FamilySUSE:
		return "SUSE:Linux Enterprise Server " + strings.ReplaceAll(v, ".", " SP")
	case inventory.FamilyOpenSUSE:
		return "openSUSE:Leap " + v
	}
	return ""
}
