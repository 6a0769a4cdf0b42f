package dpkg

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// pinKind is the type of a "Pin:" line.
type pinKind int

const (
	pinVersion pinKind = iota + 1
	pinRelease
	pinOrigin
)

// pin is one record of apt_preferences(5). A pin with no package selectors ("Package: *") is a
// default pin: it sets the priority of whole package files. Otherwise it sets the priority of
// the matching versions of the packages it names.
type pin struct {
	kind     pinKind
	priority int
	// release matches for Pin: release; version and origin hold the other kinds' data.
	release releaseMatch
	version string
	// versionPrefix is true when the version pattern ended in '*' (apt's prefix match).
	versionPrefix bool
	origin        string
	pkgs          []pkgSelector
	where         string
}

// pkgSelector is one word of a Package: line: a name, glob or /regex/, optionally "src:" to
// select by source package and ":arch" to select an architecture.
type pkgSelector struct {
	name   string
	arch   string
	source bool
}

// releaseMatch is the parsed data of "Pin: release …": each non-empty field must match.
type releaseMatch struct {
	all                                                        bool
	version                                                    string
	versionPrefix                                              bool
	origin, archive, codename, release, label, component, arch string
}

// readPreferences reads etc/apt/preferences and then etc/apt/preferences.d in file-name order
// (files without an extension or ending in ".pref", as apt reads them), and prepends the
// APT::Default-Release pin (priority 990) when apt.conf sets one. Records apt would warn about
// and skip (no or zero priority, unknown pin type) are skipped; a record without a Package
// field makes apt fail, and is returned as an error naming the file.
func readPreferences(fsys fs.FS) ([]pin, error) {
	var pins []pin
	if rel, err := defaultRelease(fsys); err != nil {
		return nil, err
	} else if rel != "" {
		pins = append(pins, pin{kind: pinRelease, priority: 990, release: parseReleaseMatch(rel), where: "APT::Default-Release"})
	}
	files := []string{"etc/apt/preferences"}
	ents, err := fs.ReadDir(fsys, "etc/apt/preferences.d")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read apt preferences: %w", err)
	}
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !aptFileName(n) || (strings.Contains(n, ".") && path.Ext(n) != ".pref") {
			continue
		}
		files = append(files, "etc/apt/preferences.d/"+n)
	}
	for _, name := range files {
		f, err := fsys.Open(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read apt preferences: %w", err)
		}
		ps, err := parsePreferences(f, name)
		f.Close()
		if err != nil {
			return nil, err
		}
		pins = append(pins, ps...)
	}
	return pins, nil
}

// parsePreferences parses one apt_preferences(5) file.
func parsePreferences(r io.Reader, name string) ([]pin, error) {
	lr := newLineReader(r)
	var out []pin
	kv := map[string]string{}
	start := 1
	flush := func() error {
		defer clear(kv)
		if len(kv) == 0 {
			return nil
		}
		pkg, ok := kv["package"]
		if !ok || pkg == "" {
			return fmt.Errorf("%s:%d: preferences record has no Package field (apt refuses this file too)", name, start)
		}
		p, ok := newPin(pkg, kv["pin"], kv["pin-priority"])
		if ok {
			p.where = fmt.Sprintf("%s:%d", name, start)
			out = append(out, p)
		}
		return nil
	}
	for n := 1; ; n++ {
		line, err := lr.next()
		if errors.Is(err, io.EOF) {
			return out, flush()
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		if len(line) > 0 && line[0] == '#' {
			continue
		}
		if isBlank(line) {
			if err := flush(); err != nil {
				return nil, err
			}
			start = n + 1
			continue
		}
		if k, v, ok := field(line); ok {
			if len(kv) == 0 {
				start = n
			}
			kv[strings.ToLower(string(k))] = string(v)
		}
	}
}

// newPin builds a pin from a record's fields, or reports false for a record apt skips.
func newPin(pkgField, pinField, prioField string) (pin, bool) {
	prio, err := strconv.Atoi(strings.TrimSpace(prioField))
	if err != nil || prio == 0 || prio < -32768 || prio > 32767 {
		return pin{}, false // apt: "No priority (or zero) specified for pin"
	}
	typ, data, _ := strings.Cut(strings.TrimSpace(pinField), " ")
	data = strings.TrimSpace(data)
	p := pin{priority: prio}
	if pkgField != "*" {
		for _, w := range strings.Fields(pkgField) {
			p.pkgs = append(p.pkgs, parseSelector(w))
		}
	}
	switch strings.ToLower(typ) {
	case "version":
		if p.pkgs == nil {
			return pin{}, false // apt accepts version pins only for named packages
		}
		p.kind = pinVersion
		p.version = data
		if len(data) > 1 && strings.HasSuffix(data, "*") {
			p.version, p.versionPrefix = strings.TrimSuffix(data, "*"), true
		}
	case "release":
		p.kind = pinRelease
		p.release = parseReleaseMatch(data)
	case "origin":
		p.kind = pinOrigin
		if len(data) >= 2 && data[0] == '"' && data[len(data)-1] == '"' {
			data = data[1 : len(data)-1]
		}
		p.origin = data
	default:
		return pin{}, false // apt: "Did not understand pin type"
	}
	return p, true
}

func parseSelector(w string) pkgSelector {
	var s pkgSelector
	if rest, ok := strings.CutPrefix(w, "src:"); ok {
		s.source, w = true, rest
	}
	if i := strings.LastIndexByte(w, ':'); i >= 0 {
		w, s.arch = w[:i], w[i+1:]
	}
	s.name = w
	return s
}

// parseReleaseMatch parses the data of "Pin: release": "a=stable,n=bookworm,o=Debian", a bare
// archive or codename ("stable"), a bare version ("12*") or "*".
func parseReleaseMatch(data string) releaseMatch {
	var m releaseMatch
	if data == "*" {
		m.all = true
		return m
	}
	if !strings.Contains(data, "=") {
		if data != "" && isDigit(data[0]) {
			m.version = data
		} else {
			m.release = data
		}
	} else {
		for _, frag := range strings.Split(data, ",") {
			frag = strings.TrimSpace(frag)
			if len(frag) < 2 || frag[1] != '=' {
				continue
			}
			v := frag[2:]
			switch frag[0] {
			case 'v', 'V':
				m.version = v
			case 'o', 'O':
				m.origin = v
			case 'a', 'A':
				m.archive = v
			case 'n', 'N':
				m.codename = v
			case 'l', 'L':
				m.label = v
			case 'c', 'C':
				m.component = v
			case 'b', 'B':
				m.arch = v
			}
		}
	}
	if strings.HasSuffix(m.version, "*") {
		m.version, m.versionPrefix = strings.TrimSuffix(m.version, "*"), true
	}
	return m
}

// fileMatches is apt's pkgVersionMatch::FileMatch for release and origin pins.
func (p *pin) fileMatches(f *pkgFile) bool {
	switch p.kind {
	case pinRelease:
		m := &p.release
		if m.all {
			return true
		}
		if *m == (releaseMatch{}) {
			return false
		}
		if m.version != "" && !matchVer(f.Rel.Version, m.version, m.versionPrefix) && !expressionMatches(m.version, f.Rel.Version) {
			return false
		}
		checks := []struct{ pattern, value string }{
			{m.origin, f.Rel.Origin}, {m.archive, f.Rel.Suite}, {m.codename, f.Rel.Codename},
			{m.label, f.Rel.Label}, {m.component, f.Component}, {m.arch, f.Arch},
		}
		for _, c := range checks {
			if c.pattern != "" && !expressionMatches(c.pattern, c.value) {
				return false
			}
		}
		if m.release != "" && !expressionMatches(m.release, f.Rel.Suite) && !expressionMatches(m.release, f.Rel.Codename) {
			return false
		}
		return true
	case pinOrigin:
		if p.origin == "" {
			// "Pin: origin """ selects local files: those without a site that are not the
			// dpkg status file.
			return f.Site == "" && !f.Status
		}
		return expressionMatches(p.origin, f.Site)
	}
	return false
}

// versionMatches is apt's pkgVersionMatch::VersionMatches: a version pin compares the version
// string; release and origin pins match when any file the version comes from matches.
func (p *pin) versionMatches(v *aptVersion, files []pkgFile) bool {
	if p.kind == pinVersion {
		return matchVer(v.Version, p.version, p.versionPrefix) || expressionMatches(p.version, v.Version)
	}
	for _, fi := range v.Files {
		if p.fileMatches(&files[fi]) {
			return true
		}
	}
	return false
}

// selects reports whether the pin's Package field names pkg (binary name, apt architecture,
// source name of the version at hand).
func (p *pin) selects(name, aptArch, source, native string) bool {
	for _, s := range p.pkgs {
		target := name
		if s.source {
			target = source
		}
		if !nameMatches(s.name, target) {
			continue
		}
		if s.source {
			return true // apt applies source pins to every architecture
		}
		want := s.arch
		if want == "" {
			want = native
		}
		if want == "any" || want == aptArch {
			return true
		}
	}
	return false
}

// nameMatches matches a Package: word: /regex/ and globs (*, ?, [) as patterns, anything
// else exactly.
func nameMatches(pattern, name string) bool {
	if len(pattern) > 1 && pattern[0] == '/' && pattern[len(pattern)-1] == '/' || strings.ContainsAny(pattern, "*[?") {
		return expressionMatches(pattern, name)
	}
	return pattern == name
}

// matchVer is apt's MatchVer: case-insensitive equality, or prefix when prefix is set.
func matchVer(value, pattern string, prefix bool) bool {
	if value == "" {
		return false
	}
	if prefix {
		return len(value) >= len(pattern) && strings.EqualFold(value[:len(pattern)], pattern)
	}
	return strings.EqualFold(value, pattern)
}

// expressionMatches is apt's ExpressionMatches: /regex/ (extended, case-insensitive) or an
// fnmatch(3) glob without flags. An absent value never matches.
func expressionMatches(pattern, value string) bool {
	if value == "" || pattern == "" {
		return false
	}
	if len(pattern) > 1 && pattern[0] == '/' && pattern[len(pattern)-1] == '/' {
		re, err := regexp.Compile("(?i)" + pattern[1:len(pattern)-1])
		return err == nil && re.MatchString(value)
	}
	return globMatch(pattern, value)
}

// globMatch is fnmatch(3) with no flags: '*' and '?' match any character including '/',
// brackets hold sets and ranges ('!' or '^' negates), backslash quotes.
func globMatch(pattern, s string) bool {
	px, sx := 0, 0
	nextPx, nextSx := -1, -1
	for px < len(pattern) || sx < len(s) {
		if px < len(pattern) {
			switch c := pattern[px]; c {
			case '*':
				nextPx, nextSx = px, sx+1
				px++
				continue
			case '?':
				if sx < len(s) {
					px++
					sx++
					continue
				}
			case '[':
				if sx < len(s) {
					if ok, width := matchClass(pattern[px:], s[sx]); width > 0 {
						if ok {
							px += width
							sx++
							continue
						}
						break
					}
				}
				if sx < len(s) && s[sx] == '[' {
					px++
					sx++
					continue
				}
			case '\\':
				if px+1 < len(pattern) && sx < len(s) && pattern[px+1] == s[sx] {
					px += 2
					sx++
					continue
				}
			default:
				if sx < len(s) && s[sx] == c {
					px++
					sx++
					continue
				}
			}
		}
		if nextSx > 0 && nextSx <= len(s) {
			px, sx = nextPx, nextSx
			continue
		}
		return false
	}
	return true
}

// matchClass matches c against the bracket expression at the start of p. width is the length
// of the expression, 0 when it is not closed (then '[' is an ordinary character).
func matchClass(p string, c byte) (ok bool, width int) {
	i := 1
	negate := false
	if i < len(p) && (p[i] == '!' || p[i] == '^') {
		negate, i = true, i+1
	}
	first := true
	for i < len(p) {
		if p[i] == ']' && !first {
			return ok != negate, i + 1
		}
		first = false
		lo := p[i]
		hi := lo
		if i+2 < len(p) && p[i+1] == '-' && p[i+2] != ']' {
			hi = p[i+2]
			i += 3
		} else {
			i++
		}
		if lo <= c && c <= hi {
			ok = true
		}
	}
	return false, 0
}
