package main

import (
	"fmt"
	"regexp"
	"strings"
)

// describeRE matches `git describe --tags --long --always --dirty` output with a tag.
var describeRE = regexp.MustCompile(`^v?([0-9][0-9A-Za-z.]*)-([0-9]+)-g([0-9a-f]+)(-dirty)?$`)

// hashRE matches the same output without any tag: the abbreviated commit.
var hashRE = regexp.MustCompile(`^([0-9a-f]+)(-dirty)?$`)

// packageVersion turns git describe output into a version valid for Debian and RPM alike (only
// letters, digits, '.', '+' and '~', starting with a digit) that sorts the way releases do:
// tag v1.2.0 gives 1.2.0, 3 commits after it 1.2.0+3.g1a2b3c4, and a tree with no tag yet
// <base>~dev+g1a2b3c4 (the '~' sorts before the <base> release). A modified tree adds .dirty.
func packageVersion(describe, base string) (string, error) {
	describe = strings.TrimSpace(describe)
	if m := describeRE.FindStringSubmatch(describe); m != nil {
		v := m[1]
		if m[2] != "0" {
			v += "+" + m[2] + ".g" + m[3]
		}
		if m[4] != "" {
			if m[2] == "0" {
				v += "+dirty"
			} else {
				v += ".dirty"
			}
		}
		return v, nil
	}
	if m := hashRE.FindStringSubmatch(describe); m != nil {
		v := base + "~dev+g" + m[1]
		if m[2] != "" {
			v += ".dirty"
		}
		return v, nil
	}
	return "", fmt.Errorf("git describe said %q: want vX.Y.Z-N-gHASH or a commit hash; tag releases vX.Y.Z or pass -version", describe)
}
