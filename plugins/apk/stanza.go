package apk

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// record is one package stanza of the installed database or an APKINDEX: single-letter
// fields "P:name", "V:version", "A:arch", "o:origin", separated from the next stanza by a
// blank line (apk-tools doc/apk-package(5), "Package metadata").
type record struct {
	Name, Version, Arch, Origin string
	// Line is where the stanza starts, for error messages.
	Line int
}

// maxLine bounds one line; file lists can be long but no field line reaches this.
const maxLine = 1 << 20

// parseStanzas calls fn for each stanza of r that names a package. A stanza without a name
// or version is an error naming its line.
func parseStanzas(r io.Reader, fn func(record) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	var cur record
	n := 0
	open := false
	flush := func() error {
		if !open {
			return nil
		}
		open = false
		if cur.Name == "" || cur.Version == "" {
			return fmt.Errorf("line %d: package stanza without P: name or V: version", cur.Line)
		}
		err := fn(cur)
		cur = record{}
		return err
	}
	for sc.Scan() {
		n++
		line := sc.Text()
		if line == "" {
			if err := flush(); err != nil {
				return err
			}
			continue
		}
		if !open {
			open, cur.Line = true, n
		}
		if len(line) < 2 || line[1] != ':' {
			return fmt.Errorf("line %d: %q is not a KEY:value field", n, truncate(line))
		}
		v := line[2:]
		switch line[0] {
		case 'P':
			cur.Name = v
		case 'V':
			cur.Version = v
		case 'A':
			cur.Arch = v
		case 'o':
			cur.Origin = v
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("line %d: %w", n+1, err)
	}
	return flush()
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return strings.TrimSpace(s)
}
