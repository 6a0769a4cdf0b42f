package rpm

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/google/osv-scalibr/semantic"
)

// formatEVR returns "epoch:version-release" when the package has an epoch and
// "version-release" when it has none, as rpm's %{EVR} prints it.
func formatEVR(epoch *int32, version, release string) string {
	vr := version
	if release != "" {
		vr += "-" + release
	}
	if epoch == nil {
		return vr
	}
	return strconv.Itoa(int(*epoch)) + ":" + vr
}

// repoEVR formats an EVR from repository metadata, which always states an epoch ("0" for
// none) and so cannot tell an explicit 0 from a missing Epoch tag: 0 is left out.
func repoEVR(epoch, version, release string) string {
	if epoch == "" || epoch == "0" {
		return formatEVR(nil, version, release)
	}
	n, err := strconv.ParseInt(epoch, 10, 32)
	if err != nil {
		// Not a number: keep it visible rather than silently dropping it.
		return epoch + ":" + formatEVR(nil, version, release)
	}
	e := int32(n)
	return formatEVR(&e, version, release)
}

// compareEVR orders two EVR strings with rpmvercmp semantics (a missing epoch is 0, '~'
// sorts before and '^' after the version it follows), using the comparator OSV matching
// uses for the RPM ecosystems.
func compareEVR(a, b string) int {
	c, err := semantic.ParseRedHatVersion(a).CompareStr(b)
	if err != nil {
		// CompareStr on a Red Hat version cannot fail; keep the guard for the interface.
		panic(fmt.Sprintf("compare rpm versions %q and %q: %v", a, b, err))
	}
	return c
}

// parseSourceRPM splits a source package file name such as
// "openssl-3.0.7-16.el9_2.src.rpm" into name "openssl" and version "3.0.7-16.el9_2". The
// name may contain dashes; version and release cannot, so the split is from the right.
func parseSourceRPM(s string) (name, version string, err error) {
	base, ok := strings.CutSuffix(s, ".src.rpm")
	if !ok {
		base, ok = strings.CutSuffix(s, ".nosrc.rpm")
	}
	if !ok {
		return "", "", fmt.Errorf("source rpm %q does not end in .src.rpm or .nosrc.rpm", s)
	}
	r := strings.LastIndexByte(base, '-')
	if r <= 0 {
		return "", "", fmt.Errorf("source rpm %q has no release", s)
	}
	v := strings.LastIndexByte(base[:r], '-')
	if v <= 0 {
		return "", "", fmt.Errorf("source rpm %q has no version", s)
	}
	return base[:v], base[v+1:], nil
}
