package nmap

import (
	"errors"
	"fmt"
)

// Errors returned by Discover, wrapped with the input they concern; test them with errors.Is.
var (
	// ErrNmapNotFound: the nmap binary is missing.
	ErrNmapNotFound = errors.New("nmap not found")
	// ErrInvalidOptions: an option is out of range (ports, top ports, intensity, …).
	ErrInvalidOptions = errors.New("invalid discovery options")
	// ErrInvalidTarget: a target is not an IP address, a CIDR prefix or (when allowed) a host name.
	ErrInvalidTarget = errors.New("invalid target")
	// ErrUnresolvable: a host name target does not resolve.
	ErrUnresolvable = errors.New("target name does not resolve")
	// ErrNotAllowed: a target lies outside Options.AllowedPrefixes.
	ErrNotAllowed = errors.New("target outside the allowed prefixes")
	// ErrRequiresRoot: nmap refused an option that needs raw-socket rights.
	ErrRequiresRoot = errors.New("nmap needs root for this scan")
	// ErrNoHostsScanned: nmap ran but scanned no host ("Failed to resolve", "0 hosts scanned").
	ErrNoHostsScanned = errors.New("nmap scanned no host")
	// ErrNmapFailed: nmap exited with an error or wrote output that does not parse.
	ErrNmapFailed = errors.New("nmap failed")
)

// TargetError is a target rejected before nmap starts. Err is ErrInvalidTarget, ErrUnresolvable
// or ErrNotAllowed.
type TargetError struct {
	Target string
	Err    error
	// Detail says what is wrong and what to do.
	Detail string
}

// Error returns "target <t>: <kind>: <detail>".
func (e *TargetError) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("target %q: %v", e.Target, e.Err)
	}
	return fmt.Sprintf("target %q: %v: %s", e.Target, e.Err, e.Detail)
}

// Unwrap returns the sentinel error.
func (e *TargetError) Unwrap() error { return e.Err }

// notFoundError is the error for a missing nmap binary, with install instructions.
func notFoundError(path string, cause error) error {
	return fmt.Errorf("%w at %q (%v): install nmap (Debian/Ubuntu: apt-get install nmap; "+
		"Fedora/RHEL/Rocky: dnf install nmap; macOS: brew install nmap; Windows: the installer from "+
		"https://nmap.org/download.html) or give the binary's path", ErrNmapNotFound, path, cause)
}
