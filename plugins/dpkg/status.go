package dpkg

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// statusEntry is one stanza of the dpkg status database, reduced to what the inventory needs.
type statusEntry struct {
	Name          string
	Version       string
	Arch          string
	SourceName    string
	SourceVersion string
	// Want, Flag and State are the three words of the Status field, for example
	// "install", "ok", "installed"; "hold" "ok" "installed"; "deinstall" "ok" "config-files".
	Want, Flag, State string
	// ident tells this build apart from another with the same version string.
	ident verIdent
}

// installed reports whether the package's files are on disk and configured: dpkg state
// installed, or triggers-awaited/triggers-pending (configured, only a trigger left to run),
// whatever the selection (install, hold, deinstall, purge) says. The selection is a wish, not
// what is on disk: a "deinstall ok installed" package is still fully installed.
func (e statusEntry) installed() bool {
	switch e.State {
	case "installed", "triggers-awaited", "triggers-pending":
		return true
	}
	return false
}

// broken reports whether dpkg left the package in an intermediate state (unpacked,
// half-configured, half-installed): files of some version are on disk, but which ones dpkg
// cannot say.
func (e statusEntry) broken() bool {
	switch e.State {
	case "unpacked", "half-configured", "half-installed":
		return true
	}
	return false
}

// current reports whether apt treats the package as having a current version: every state
// except not-installed and config-files (apt's debListParser). Pending updates are computed for
// these packages, as `apt list --upgradable` does.
func (e statusEntry) current() bool {
	switch e.State {
	case "", "not-installed", "config-files":
		return false
	}
	return true
}

// parseStatus reads a dpkg status file (var/lib/dpkg/status) stanza by stanza. It returns every
// stanza that names a package, whatever its state; callers filter with installed and current.
// Source names follow dpkg: "Source: name (version)" gives both, "Source: name" keeps the binary
// version, and no Source field means the source package has the binary's name.
func parseStatus(r io.Reader) ([]statusEntry, error) {
	lr := newLineReader(r)
	var out []statusEntry
	var cur statusEntry
	var source string
	var id identFields
	lineNo, start := 0, 0
	flush := func() error {
		defer func() { cur, source = statusEntry{}, ""; id.reset() }()
		if cur.Name == "" {
			if cur != (statusEntry{}) || source != "" {
				return fmt.Errorf("stanza at line %d has no Package field", start)
			}
			return nil
		}
		cur.SourceName, cur.SourceVersion = splitSource(source, cur.Name, cur.Version)
		cur.ident = id.ident([]byte(cur.Arch))
		out = append(out, cur)
		return nil
	}
	for {
		line, err := lr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read dpkg status: %w", err)
		}
		lineNo++
		if isBlank(line) {
			if err := flush(); err != nil {
				return nil, fmt.Errorf("parse dpkg status: %w", err)
			}
			start = lineNo + 1
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			id.continued(line)
			continue
		}
		key, val, ok := field(line)
		if !ok {
			continue
		}
		if id.add(key, val) {
			continue
		}
		switch {
		case keyIs(key, "Package"):
			cur.Name = string(val)
		case keyIs(key, "Version"):
			cur.Version = string(val)
		case keyIs(key, "Architecture"):
			cur.Arch = string(val)
		case keyIs(key, "Source"):
			source = string(val)
		case keyIs(key, "Status"):
			f := strings.Fields(string(val))
			if len(f) != 3 {
				return nil, fmt.Errorf("parse dpkg status: line %d: Status %q is not three words (want flag state)", lineNo, val)
			}
			cur.Want, cur.Flag, cur.State = f[0], f[1], f[2]
		}
	}
	if err := flush(); err != nil {
		return nil, fmt.Errorf("parse dpkg status: %w", err)
	}
	return out, nil
}

// splitSource parses a Source field: "name", "name (version)" or empty.
func splitSource(src, binName, binVersion string) (name, version string) {
	src = strings.TrimSpace(src)
	if src == "" {
		return binName, binVersion
	}
	name, rest, found := strings.Cut(src, " ")
	if !found {
		return name, binVersion
	}
	rest = strings.TrimSpace(rest)
	if v, ok := strings.CutPrefix(rest, "("); ok {
		if v, ok := strings.CutSuffix(v, ")"); ok && strings.TrimSpace(v) != "" {
			return name, strings.TrimSpace(v)
		}
	}
	return name, binVersion
}
