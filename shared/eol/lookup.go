package eol

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ceplus/ceplus/shared/inventory"
)

// ErrUnknown is wrapped by Lookup's error when the lifecycle data has no entry for the
// device's OS release (or no data for its OS family): its support status is unknown, which is
// never read as supported.
var ErrUnknown = errors.New("OS release not in the lifecycle data")

// Lookup returns the lifecycle release of the device's operating system: Debian, Ubuntu,
// Alpine, Red Hat Enterprise Linux, Rocky Linux, AlmaLinux, Windows (by version, feature
// update and edition class), Windows Server and macOS.
func Lookup(d inventory.Device) (Release, error) {
	file, cycles := candidates(d)
	if file == "" {
		return Release{}, fmt.Errorf("%w: no lifecycle data for OS family %q (%s %s)", ErrUnknown, d.OSFamily, d.OSName, d.OSVersion)
	}
	ts, err := load()
	if err != nil {
		return Release{}, err
	}
	t, ok := ts[file]
	if !ok {
		return Release{}, fmt.Errorf("eol data file %s is missing from the build", file)
	}
	for _, c := range cycles {
		if r, ok := t.releases[c]; ok {
			return r, nil
		}
	}
	return Release{}, fmt.Errorf("%w: %s has no release %v for %s %s (refresh the data: go generate ./shared/eol)", ErrUnknown, file, cycles, d.OSName, d.OSVersion)
}

// candidates returns the data file for the device's OS family and the cycles to try, most
// specific first.
func candidates(d inventory.Device) (string, []string) {
	v := strings.TrimSpace(d.OSVersion)
	switch d.OSFamily {
	case inventory.FamilyDebian:
		return "debian.tsv", []string{major(v)}
	case inventory.FamilyUbuntu:
		return "ubuntu.tsv", []string{inventory.MajorVersion(d.OSFamily, v)}
	case inventory.FamilyAlpine:
		return "alpine.tsv", []string{strings.TrimPrefix(inventory.MajorVersion(d.OSFamily, v), "v")}
	case inventory.FamilyRHEL:
		return "rhel.tsv", []string{major(v)}
	case inventory.FamilyRocky:
		return "rocky.tsv", []string{major(v)}
	case inventory.FamilyAlmaLinux:
		return "almalinux.tsv", []string{major(v)}
	case inventory.FamilyMacOS:
		return "macos.tsv", []string{inventory.MajorVersion(d.OSFamily, v)}
	case inventory.FamilyWindows:
		if s, ok := strings.CutPrefix(v, "Server"); ok {
			return "windows-server.tsv", serverCycles(strings.TrimSpace(s), d.FeatureUpdate)
		}
		return "windows.tsv", windowsCycles(v, d.Edition, d.FeatureUpdate)
	}
	return "", nil
}

func major(v string) string {
	m, _, _ := strings.Cut(v, ".")
	return m
}

// windowsCycles maps Windows 10/11 (version, edition, feature update) to endoflife.date cycle
// ids: "11-24h2-w" for Home and Pro, "-e" for Enterprise and Education, "-e-lts" for an LTSC
// edition, "-iot-lts" for IoT Enterprise LTSC, then the edition-less "10-22h2". Older
// releases: "8.1", "8", "7-sp1".
func windowsCycles(version, edition, feature string) []string {
	switch version {
	case "7":
		return []string{"7-sp1"}
	case "8", "8.1":
		return []string{version}
	}
	fu := strings.ToLower(strings.TrimSpace(feature))
	base := version + "-" + fu
	ed := strings.ToLower(edition)
	var class string
	switch {
	case strings.Contains(ed, "iot") && strings.Contains(ed, "ltsc"):
		class = "iot-lts"
	case strings.Contains(ed, "ltsc") || strings.Contains(ed, "ltsb"):
		class = "e-lts"
	case strings.Contains(ed, "enterprise") || strings.Contains(ed, "education") && !strings.Contains(ed, "pro"):
		class = "e"
	case ed != "":
		class = "w"
	}
	if class == "" {
		return []string{base}
	}
	return []string{base + "-" + class, base}
}

// serverCycles maps a Windows Server version ("2022", "2012 R2", or empty for the Annual and
// Semi-Annual Channel releases named by feature update) to endoflife.date cycle ids.
func serverCycles(year, feature string) []string {
	if year != "" {
		return []string{strings.ReplaceAll(strings.ToLower(year), " ", "-")}
	}
	fu := strings.ToLower(strings.TrimSpace(feature))
	return []string{fu + "-ac", fu + "-sac"}
}
