package macos

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/ceplus/ceplus/shared/inventory"
)

// updateOrigin is the PendingUpdate.Origin of every update softwareupdate lists.
const updateOrigin = "Apple Software Update"

const (
	noUpdates    = "No new software available."
	foundUpdates = "Software Update found the following new or updated software:"
)

var (
	// oldDetail is the second line of an entry before macOS 10.15.5 or so:
	// "macOS Catalina 10.15.7 Update ( ), 3305384K [recommended] [restart]".
	oldDetail = regexp.MustCompile(`^(.*?) \(([^)]*)\), (\d+K)(.*)$`)
	// modernKey starts a field of the modern detail line: "Title: ", "Version: ", "Size: ", …
	modernKey = regexp.MustCompile(`^([A-Z][A-Za-z]*): ?(.*)$`)
	// versionInTitle finds "10.15.7" in "macOS Catalina 10.15.7 Update".
	versionInTitle = regexp.MustCompile(`\d+(?:\.\d+)+`)
)

// parseSoftwareUpdate reads the combined standard output and error of `softwareupdate --list`
// (it prints "No new software available." on standard error). Both entry formats are read:
//
//   - Label: macOS Sonoma 14.6-23G80
//     Title: macOS Sonoma 14.6, Version: 14.6, Size: 1572864K, Recommended: YES, Action: restart,
//
// (macOS 11 and later; Size in KiB from macOS 13) and the older
//
//   - macOS Catalina 10.15.7 Update-
//     macOS Catalina 10.15.7 Update ( ), 3305384K [recommended] [restart]
//
// Name is the label (what `softwareupdate --install` takes), Title the title, Candidate the
// version. installed is the running macOS version, used for the security rule and recorded
// as Installed of macOS updates. Output that says neither "No new software available." nor
// "Software Update found …" is an error: it is not evidence that nothing is pending.
func parseSoftwareUpdate(r io.Reader, installed string) ([]inventory.PendingUpdate, error) {
	var out []inventory.PendingUpdate
	verdict := false
	var cur *inventory.PendingUpdate
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == noUpdates || trimmed == foundUpdates:
			verdict = true
		case strings.HasPrefix(trimmed, "* "):
			label := strings.TrimSpace(strings.TrimPrefix(trimmed, "* "))
			label = strings.TrimSpace(strings.TrimPrefix(label, "Label:"))
			out = append(out, inventory.PendingUpdate{Name: label, Origin: updateOrigin})
			cur = &out[len(out)-1]
		case cur != nil && cur.Title == "" && trimmed != "" && (line[0] == '\t' || line[0] == ' '):
			if err := parseDetail(cur, trimmed); err != nil {
				return nil, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read softwareupdate output: %w", err)
	}
	if !verdict {
		return nil, fmt.Errorf("softwareupdate output says neither %q nor that it found updates", noUpdates)
	}
	for i := range out {
		u := &out[i]
		if u.Title == "" {
			return nil, fmt.Errorf("softwareupdate entry %q has no title line", u.Name)
		}
		u.Security = isSecurityUpdate(u.Title, u.Candidate, installed)
		if isMacOS(u.Title) {
			u.Installed = installed
		}
	}
	return out, nil
}

func parseDetail(u *inventory.PendingUpdate, s string) error {
	if strings.HasPrefix(s, "Title:") {
		var key string
		fields := map[string]string{}
		for _, part := range strings.Split(strings.TrimSuffix(strings.TrimSpace(s), ","), ", ") {
			if m := modernKey.FindStringSubmatch(part); m != nil {
				key = m[1]
				fields[key] = strings.TrimSpace(m[2])
			} else if key != "" {
				fields[key] += ", " + part // a comma inside a value
			}
		}
		u.Title, u.Candidate = fields["Title"], fields["Version"]
		if u.Title == "" {
			return fmt.Errorf("softwareupdate entry %q: empty title in %q", u.Name, s)
		}
		return nil
	}
	m := oldDetail.FindStringSubmatch(s)
	if m == nil {
		return fmt.Errorf("softwareupdate entry %q: detail line %q is in no known format", u.Name, s)
	}
	u.Title, u.Candidate = strings.TrimSpace(m[1]), strings.TrimSpace(m[2])
	return nil
}

func isMacOS(title string) bool {
	return strings.HasPrefix(title, "macOS") || strings.HasPrefix(title, "OS X") || strings.HasPrefix(title, "Mac OS X")
}

// isSecurityUpdate is the rule for PendingUpdate.Security. An update is a security update when
//   - its title says "Security Update" (Security Update 2021-001 and the like),
//     "Background Security Improvement" or "Rapid Security Response";
//   - it is a macOS release of the installed major version (14.5 → 14.6, 14.6 → 14.6.1, or a
//     "(a)" response): Apple ships security content in practically every minor and patch
//     release and lists them on its security releases page;
//   - it is Safari, whose releases Apple also publishes as security releases.
//
// A new major version (14.x offered macOS 15) is an upgrade, not a missing security update:
// while the installed major version is supported its own updates carry the fixes. Other
// items (Command Line Tools, printer drivers, firmware) are not marked.
func isSecurityUpdate(title, version, installed string) bool {
	for _, s := range []string{"Security Update", "Background Security Improvement", "Rapid Security Response"} {
		if strings.Contains(title, s) {
			return true
		}
	}
	if strings.HasPrefix(title, "Safari") {
		return true
	}
	if !isMacOS(title) {
		return false
	}
	v := version
	if v == "" {
		v = versionInTitle.FindString(title)
	}
	v, _, _ = strings.Cut(v, " ") // "26.3.1 (a)"
	if v == "" || installed == "" {
		return true // cannot tell an upgrade from an update: do not hide it
	}
	return inventory.MajorVersion(inventory.FamilyMacOS, v) == inventory.MajorVersion(inventory.FamilyMacOS, installed)
}
