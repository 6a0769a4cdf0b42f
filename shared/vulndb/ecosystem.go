package vulndb

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/google/osv-scalibr/inventory/osvecosystem"
)

// Eco is an OSV ecosystem split into its base ("Debian", "Rocky Linux") and a normalised
// release key ("12", "22.04", "v3.20", "9"; empty when the string names no release).
type Eco struct {
	Base    string
	Release string
}

// String returns the ecosystem as "Base" or "Base:Release".
func (e Eco) String() string {
	if e.Release == "" {
		return e.Base
	}
	return e.Base + ":" + e.Release
}

// osDistros are the ecosystems whose packages come from an OS release: an inventory package
// of these must name its release, or advisories of every release would apply to it.
var osDistros = map[string]bool{
	"Debian": true, "Ubuntu": true, "Alpine": true, "Red Hat": true, "Rocky Linux": true,
	"AlmaLinux": true, "SUSE": true, "openSUSE": true, "Mageia": true, "openEuler": true,
}

// IsOSDistro reports whether base is an OS-distribution ecosystem whose records are per release.
func IsOSDistro(base string) bool { return osDistros[base] }

var (
	leadingNumber = regexp.MustCompile(`^v?(\d+)(\.\d+)?`)
	redHatStream  = regexp.MustCompile(`^([a-z_]+):(\d+(?:\.\d+)?)`)
)

// ParseEco parses an OSV ecosystem string with osvecosystem.Parse (never MustParse) and
// normalises its release so that the inventory's and the feed's spellings compare equal:
//   - Debian "12" and "12.11" → "12";
//   - Ubuntu "22.04:LTS" → "22.04" (the release number alone decides LTS), "Pro:22.04:LTS" →
//     "Pro:22.04" (Ubuntu Pro/ESM entries stay distinct from the standard archive);
//   - Alpine "v3.20", "3.20" and "3.20.3" → "v3.20";
//   - Rocky Linux and AlmaLinux "9" and "9.4" → "9";
//   - Red Hat "enterprise_linux:9::appstream" and "9" → "9", "rhel_eus:8.8::baseos" → "eus:8.8"
//     (EUS streams stay distinct);
//   - other ecosystems keep their suffix unchanged.
//
// An empty string or a base unknown to the OSV schema is an error naming the input.
func ParseEco(s string) (Eco, error) {
	if s == "" {
		return Eco{}, fmt.Errorf("empty ecosystem")
	}
	p, err := osvecosystem.Parse(s)
	if err != nil {
		return Eco{}, fmt.Errorf("ecosystem %q: %w", s, err)
	}
	return Eco{Base: string(p.Ecosystem), Release: normRelease(string(p.Ecosystem), p.Suffix)}, nil
}

func normRelease(base, suffix string) string {
	suffix = strings.TrimSpace(suffix)
	if suffix == "" {
		return ""
	}
	switch base {
	case "Debian", "Rocky Linux", "AlmaLinux":
		if m := leadingNumber.FindStringSubmatch(suffix); m != nil {
			return m[1]
		}
	case "Ubuntu":
		pro := strings.HasPrefix(suffix, "Pro:")
		rel := strings.TrimSuffix(strings.TrimPrefix(suffix, "Pro:"), ":LTS")
		if pro {
			return "Pro:" + rel
		}
		return rel
	case "Alpine":
		if m := leadingNumber.FindStringSubmatch(suffix); m != nil && m[2] != "" {
			return "v" + m[1] + m[2]
		}
	case "Red Hat":
		if m := redHatStream.FindStringSubmatch(suffix); m != nil {
			if strings.Contains(m[1], "eus") {
				return "eus:" + m[2]
			}
			return leadingNumber.FindStringSubmatch(m[2])[1]
		}
		if m := leadingNumber.FindStringSubmatch(suffix); m != nil {
			return m[1]
		}
	}
	return suffix
}

// Covers reports whether an advisory entry of ecosystem rec applies to a package of
// ecosystem pkg: same base, and the same release when the record names one. A record without
// a release applies to every release of its base (the OSV meaning of a bare ecosystem); this
// is the rule for feeds such as older Rocky Linux exports that carry no release, where the
// RPM dist tag and epoch in the versions keep releases apart.
func (rec Eco) Covers(pkg Eco) bool {
	if rec.Base != pkg.Base {
		return false
	}
	return rec.Release == "" || rec.Release == pkg.Release
}

var pypiSeparators = regexp.MustCompile(`[-_.]+`)

// NormName returns the package name as the index keys it: PyPI names are normalised per
// PEP 503 (lower case, runs of "-", "_", "." become "-"); other names are exact.
func NormName(base, name string) string {
	if base == "PyPI" {
		return pypiSeparators.ReplaceAllString(strings.ToLower(name), "-")
	}
	return name
}
