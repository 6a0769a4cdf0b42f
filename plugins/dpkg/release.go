package dpkg

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// release holds the fields of a repository's InRelease or Release file that apt's policy and
// `apt list` use. apt checked the file's signature when it downloaded it; this package reads
// the copy in var/lib/apt/lists and does not verify it again.
type release struct {
	Origin   string // o=, "Debian"
	Label    string // l=, "Debian-Security"
	Suite    string // a=, the archive: "stable-security", "oldstable", "jammy-updates"
	Codename string // n=, "bookworm-security", "jammy"
	Version  string // v=, "12", "12.8", "22.04"
	// Date is the Date field: when the repository generated this file.
	Date time.Time
	// NotAutomatic and ButAutomaticUpgrades set apt's default priority (1 and 100).
	NotAutomatic         bool
	ButAutomaticUpgrades bool
}

// parseRelease reads a Release file or the cleartext of an InRelease (clearsigned) file.
func parseRelease(r io.Reader) (release, error) {
	lr := newLineReader(r)
	var rel release
	first, inArmorHeader := true, false
	for {
		line, err := lr.next()
		if errors.Is(err, io.EOF) {
			return rel, nil
		}
		if err != nil {
			return release{}, fmt.Errorf("read release file: %w", err)
		}
		if first {
			first = false
			if bytes.HasPrefix(line, []byte("-----BEGIN PGP SIGNED MESSAGE-----")) {
				inArmorHeader = true
				continue
			}
		}
		if inArmorHeader {
			// "Hash: SHA256" and the like, up to the blank line that starts the cleartext.
			if isBlank(line) {
				inArmorHeader = false
			}
			continue
		}
		if bytes.HasPrefix(line, []byte("-----BEGIN PGP SIGNATURE-----")) {
			return rel, nil
		}
		key, val, ok := field(line)
		if !ok {
			continue
		}
		switch {
		case keyIs(key, "Origin"):
			rel.Origin = string(val)
		case keyIs(key, "Label"):
			rel.Label = string(val)
		case keyIs(key, "Suite"):
			rel.Suite = string(val)
		case keyIs(key, "Codename"):
			rel.Codename = string(val)
		case keyIs(key, "Version"):
			rel.Version = string(val)
		case keyIs(key, "Date"):
			// An unreadable date leaves Date zero: it is reported, never used for matching.
			rel.Date = parseReleaseDate(string(val))
		case keyIs(key, "NotAutomatic"):
			rel.NotAutomatic = strings.EqualFold(string(val), "yes")
		case keyIs(key, "ButAutomaticUpgrades"):
			rel.ButAutomaticUpgrades = strings.EqualFold(string(val), "yes")
		}
	}
}

// parseReleaseDate parses the RFC 2822 date of a Release file ("Sat, 11 Jul 2026 10:16:37 UTC",
// sometimes "+0000" or a single-digit day), or returns the zero time.
func parseReleaseDate(s string) time.Time {
	for _, layout := range []string{time.RFC1123, time.RFC1123Z, "Mon, 2 Jan 2006 15:04:05 MST", "Mon, 2 Jan 2006 15:04:05 -0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
