package apk

import (
	"fmt"

	"github.com/google/osv-scalibr/semantic"
)

// compareVersion orders two apk versions as apk does (apk-tools src/version.c): numbers
// part by part, then a letter, then suffixes _alpha < _beta < _pre < _rc < (none) < _cvs <
// _svn < _git < _hg < _p, then the -rN package revision. It uses the comparator OSV matching
// uses for the Alpine ecosystem.
func compareVersion(a, b string) (int, error) {
	va, err := semantic.ParseAlpineVersion(a)
	if err != nil {
		return 0, fmt.Errorf("apk version %q: %w", a, err)
	}
	vb, err := semantic.ParseAlpineVersion(b)
	if err != nil {
		return 0, fmt.Errorf("apk version %q: %w", b, err)
	}
	return va.Compare(vb)
}
