package nmap

import (
	"fmt"
	"strings"
)

// classifyStderr splits nmap's stderr into warnings and, when a line means the scan did not do
// what was asked, an error. Targets are validated before nmap starts, so the target lines below
// are a second line of defence: nmap reports them only as warnings and exits 0.
func classifyStderr(stderr string) (warnings []string, err error) {
	seen := map[string]bool{}
	for _, line := range strings.Split(stderr, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || seen[line] { // nmap repeats "Failed to resolve" lines
			continue
		}
		seen[line] = true
		warnings = append(warnings, line)
		if err != nil {
			continue
		}
		switch {
		case strings.Contains(line, "requires root privileges"):
			err = fmt.Errorf("%w: nmap says %q: run as root, or without the options that need it", ErrRequiresRoot, line)
		case strings.Contains(line, "Failed to resolve"), strings.Contains(line, "0 hosts scanned"),
			strings.Contains(line, "Illegal netmask"):
			err = fmt.Errorf("%w: nmap says %q: check the targets", ErrNoHostsScanned, line)
		}
	}
	return warnings, err
}
