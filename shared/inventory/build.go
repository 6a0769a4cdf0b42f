package inventory

import "strings"

// BuildKey returns the CE+ build key of RULES.md §1.1: OS family + edition + major version +
// feature-update level, for example "Windows 11 Pro 24H2", "macOS 14", "Debian 12",
// "Ubuntu 24.04", "Alpine 3.20", "Rocky Linux 9".
func BuildKey(d Device) string {
	parts := []string{familyName(d)}
	switch d.OSFamily {
	case FamilyWindows:
		// OSVersion "11" or "Server 2022"; the edition and feature update tell builds apart.
		parts = append(parts, d.OSVersion, d.Edition)
		if !serverYearRelease(d.OSVersion) {
			parts = append(parts, d.FeatureUpdate)
		}
	default:
		parts = append(parts, d.Edition, MajorVersion(d.OSFamily, d.OSVersion))
	}
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

// MajorVersion returns the part of an OS version that distinguishes builds: the whole release
// for Ubuntu ("24.04") and Alpine ("3.20" of "3.20.3"), the first two numbers of macOS 10.x
// ("10.15" of "10.15.7"), the major number elsewhere ("9" of "9.4", "14" of "14.5").
func MajorVersion(family, version string) string {
	f := strings.Split(version, ".")
	switch family {
	case FamilyUbuntu:
		if len(f) >= 2 {
			return f[0] + "." + f[1]
		}
	case FamilyAlpine, FamilyOpenSUSE:
		if len(f) >= 2 {
			return f[0] + "." + f[1]
		}
	case FamilyMacOS:
		// Before macOS 11 the second number was the major release: 10.14 Mojave, 10.15 Catalina.
		if f[0] == "10" && len(f) >= 2 {
			return f[0] + "." + f[1]
		}
	}
	return f[0]
}

// serverYearRelease reports whether a Windows OSVersion names a Windows Server long-term
// release by its year ("Server 2022", "Server 2012 R2"). Such a release has one feature-update
// level for its whole life (Server 2022 is always 21H2, Server 2019 always 1809), so its build
// key leaves the feature update out: "Windows Server 2022 Standard". Annual Channel servers
// ("Server", no year) keep it: "Windows Server Datacenter 23H2".
func serverYearRelease(osVersion string) bool {
	year, ok := strings.CutPrefix(osVersion, "Server ")
	year, _ = strings.CutSuffix(year, " R2")
	if !ok || len(year) != 4 {
		return false
	}
	for _, c := range year {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func familyName(d Device) string {
	switch d.OSFamily {
	case FamilyDebian:
		return "Debian"
	case FamilyUbuntu:
		return "Ubuntu"
	case FamilyAlpine:
		return "Alpine"
	case FamilyRHEL:
		return "Red Hat Enterprise Linux"
	case FamilyRocky:
		return "Rocky Linux"
	case FamilyAlmaLinux:
		return "AlmaLinux"
	case FamilyFedora:
		return "Fedora"
	case FamilySUSE:
		return "SUSE Linux Enterprise Server"
	case FamilyOpenSUSE:
		return "openSUSE Leap"
	case FamilyWindows:
		return "Windows"
	case FamilyMacOS:
		return "macOS"
	}
	if d.OSName != "" {
		return d.OSName
	}
	return d.OSFamily
}
