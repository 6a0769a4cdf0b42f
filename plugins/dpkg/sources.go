package dpkg

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
)

// sourceEntry is one "deb" repository line of apt's sources: one URI, one suite, its
// components. A flat repository has a suite ending in "/" and no components.
type sourceEntry struct {
	URI        string
	Suite      string
	Components []string
	// Where says where the entry was read, "etc/apt/sources.list:3", for error messages.
	Where string
}

// readSources returns the deb entries of etc/apt/sources.list and then etc/apt/sources.list.d
// (*.list one-line files and *.sources deb822 files, in file-name order), which is the order in
// which apt builds its cache and so the order of the suites `apt list` prints. deb-src entries,
// disabled deb822 stanzas and files apt ignores (other extensions) are skipped.
func readSources(fsys fs.FS) ([]sourceEntry, error) {
	var out []sourceEntry
	read := func(name string, parse func(io.Reader, string) ([]sourceEntry, error)) error {
		f, err := fsys.Open(name)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		defer f.Close()
		es, err := parse(f, name)
		if err != nil {
			return err
		}
		out = append(out, es...)
		return nil
	}
	if err := read("etc/apt/sources.list", parseSourcesList); err != nil {
		return nil, err
	}
	ents, err := fs.ReadDir(fsys, "etc/apt/sources.list.d")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read apt sources: %w", err)
	}
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || !aptFileName(name) {
			continue
		}
		p := "etc/apt/sources.list.d/" + name
		switch path.Ext(name) {
		case ".list":
			err = read(p, parseSourcesList)
		case ".sources":
			err = read(p, parseDeb822Sources)
		default:
			continue
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// aptFileName reports whether apt reads a file of this name from a .d directory: only letters,
// digits, '_', '-' and '.' (apt's GetListOfFilesInDir).
func aptFileName(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return name != ""
}

// parseSourcesList parses the one-line format: "deb [options] uri suite [component...]".
func parseSourcesList(r io.Reader, name string) ([]sourceEntry, error) {
	lr := newLineReader(r)
	var out []sourceEntry
	for n := 1; ; n++ {
		line, err := lr.next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		if i := bytes.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		s := strings.TrimSpace(string(line))
		if s == "" {
			continue
		}
		typ, rest, _ := strings.Cut(s, " ")
		if typ != "deb" {
			continue // deb-src, rpm, …: no binary packages
		}
		rest = strings.TrimSpace(rest)
		if strings.HasPrefix(rest, "[") {
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, fmt.Errorf("%s:%d: option list %q has no closing ]", name, n, rest)
			}
			rest = rest[end+1:]
		}
		f := strings.Fields(rest)
		if len(f) < 2 {
			return nil, fmt.Errorf("%s:%d: %q lacks a URI and a suite", name, n, s)
		}
		out = append(out, sourceEntry{URI: f[0], Suite: f[1], Components: f[2:], Where: fmt.Sprintf("%s:%d", name, n)})
	}
}

// parseDeb822Sources parses the deb822 format of *.sources files (sources.list(5)).
func parseDeb822Sources(r io.Reader, name string) ([]sourceEntry, error) {
	lr := newLineReader(r)
	var out []sourceEntry
	kv := map[string]string{}
	start := 1
	flush := func() {
		defer clear(kv)
		if len(kv) == 0 || strings.EqualFold(kv["enabled"], "no") {
			return
		}
		if !slices.Contains(strings.Fields(kv["types"]), "deb") {
			return
		}
		for _, uri := range strings.Fields(kv["uris"]) {
			for _, suite := range strings.Fields(kv["suites"]) {
				out = append(out, sourceEntry{URI: uri, Suite: suite, Components: strings.Fields(kv["components"]),
					Where: fmt.Sprintf("%s:%d", name, start)})
			}
		}
	}
	for n := 1; ; n++ {
		line, err := lr.next()
		if errors.Is(err, io.EOF) {
			flush()
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		if len(line) > 0 && line[0] == '#' {
			continue
		}
		if isBlank(line) {
			flush()
			start = n + 1
			continue
		}
		if k, v, ok := field(line); ok {
			kv[strings.ToLower(string(k))] = string(v)
		}
	}
}

// site returns the host (and port) of a repository URI, which apt calls the origin of the
// package files fetched from it ("Pin: origin deb.debian.org"). Local repositories have none.
func site(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return ""
	}
	return u.Host
}

// uriToFileName is apt's URItoFileName: drop the scheme and any user and password, quote
// unsafe characters as %xx and turn '/' into '_'. It names the files in var/lib/apt/lists.
func uriToFileName(uri string) string {
	rest := uri
	if i := strings.Index(rest, ":"); i >= 0 && !strings.ContainsAny(rest[:i], "/") {
		rest = rest[i+1:]
	}
	hasHost := strings.HasPrefix(rest, "//")
	rest = strings.TrimPrefix(rest, "//")
	if hasHost {
		host, p, _ := strings.Cut(rest, "/")
		if i := strings.LastIndexByte(host, '@'); i >= 0 {
			host = host[i+1:]
		}
		rest = host + "/" + p
	}
	const unsafe = "\\|{}[]<>\"^~_=!@#$%^&*"
	var b strings.Builder
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		switch {
		case c == '/':
			b.WriteByte('_')
		case c <= 0x20 || c >= 0x7f || strings.IndexByte(unsafe, c) >= 0:
			b.WriteString("%" + leftPad(strconv.FormatInt(int64(c), 16)))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func leftPad(h string) string {
	if len(h) < 2 {
		return "0" + h
	}
	return h
}

// indexPrefixes returns the list-file name prefixes of an entry: the Release prefix (to which
// "InRelease" or "Release" is appended) and one prefix per component, to which apt appends
// "binary-<arch>_Packages[.ext]". A flat repository ("deb uri dir/") has no components: its
// Packages file is the Release prefix followed by "Packages[.ext]", and flat is true.
func (s sourceEntry) indexPrefixes() (release string, components []string, flat bool) {
	base := s.URI
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	if strings.HasSuffix(s.Suite, "/") {
		if s.Suite == "/" {
			return uriToFileName(base), nil, true
		}
		return uriToFileName(base + s.Suite), nil, true
	}
	release = uriToFileName(base + "dists/" + s.Suite + "/")
	for _, c := range s.Components {
		components = append(components, release+uriToFileName(c)+"_")
	}
	return release, components, false
}
