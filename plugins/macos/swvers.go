package macos

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/ceplus/ceplus/shared/inventory"
)

// parseSwVers reads the output of sw_vers ("ProductName:\t\tmacOS", "ProductVersion:\t\t14.5",
// "BuildVersion:\t\t23F79", and on systems with a Rapid Security Response or Background
// Security Improvement applied "ProductVersionExtra:\t(a)"). OSVersion is ProductVersion, so
// the build key is "macOS <major>"; OSBuild is BuildVersion. A ProductVersionExtra is kept in
// OSName ("macOS 13.4.1 (a)") and left out of OSVersion, which advisories compare against.
func parseSwVers(r io.Reader) (inventory.Device, error) {
	fields := map[string]string{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	if err := sc.Err(); err != nil {
		return inventory.Device{}, fmt.Errorf("read sw_vers output: %w", err)
	}
	name, version := fields["ProductName"], fields["ProductVersion"]
	if name == "" || version == "" {
		return inventory.Device{}, fmt.Errorf("sw_vers output has no ProductName or ProductVersion (got %v)", fields)
	}
	if name == "Mac OS X" {
		name = "macOS" // 10.15 and older call themselves "Mac OS X"
	}
	d := inventory.Device{
		OSFamily:  inventory.FamilyMacOS,
		OSName:    strings.Join(nonEmpty(name, version, fields["ProductVersionExtra"]), " "),
		OSVersion: version,
		OSBuild:   fields["BuildVersion"],
	}
	d.Build = inventory.BuildKey(d)
	return d, nil
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
