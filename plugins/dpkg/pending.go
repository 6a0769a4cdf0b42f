package dpkg

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"time"
)

// listsDir is where apt keeps the package lists it downloaded.
const listsDir = "var/lib/apt/lists"

// pending is one package whose apt candidate is newer than the installed version.
type pending struct {
	Name      string
	Arch      string // the candidate's Architecture field, as `apt list` prints it
	Installed string
	Candidate string
	// Suites is what `apt list --upgradable` prints after the slash: the archive of each file
	// offering the candidate, in apt's cache order.
	Suites []string
	// Origin is apt's description of the release, "Debian-Security:12/stable-security".
	Origin   string
	Security bool
	// ListDate is the earliest Date of the Release files offering the candidate: the candidate
	// was published no later than this. It is not the vendor's release date.
	ListDate time.Time
}

// aptView is apt's offline view of a system: its package files and the packages with a
// current version, with every version the lists offer for them.
type aptView struct {
	native string
	files  []pkgFile
	pkgs   map[string][]*aptPackage
	pins   []pin
}

// pendingUpdates computes what `apt list --upgradable` would print, offline, from the lists in
// var/lib/apt/lists of the sources configured in etc/apt, the preferences in etc/apt and the
// dpkg status. arches are the architectures apt reads lists for (dpkg's native and foreign
// ones); lists of other architectures are left alone, as apt leaves them. Problems that leave
// the answer incomplete (a configured source never fetched, an
// unreadable list) are returned as notes with the partial answer; an error means no answer.
func pendingUpdates(ctx context.Context, fsys fs.FS, status []statusEntry, native string, arches []string) ([]pending, []error, error) {
	sources, err := readSources(fsys)
	if err != nil {
		return nil, nil, err
	}
	if len(sources) == 0 {
		return nil, nil, errors.New("no deb source in etc/apt/sources.list or etc/apt/sources.list.d: apt knows of no updates, so none can be reported")
	}
	ents, err := fs.ReadDir(fsys, listsDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("no %s: apt has never fetched its package lists; run apt-get update", listsDir)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read apt lists: %w", err)
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)

	v := &aptView{native: native, pkgs: map[string][]*aptPackage{}}
	v.files = append(v.files, pkgFile{Name: "status", Status: true, Rel: release{Suite: "now"}})
	for i := range status {
		e := &status[i]
		if !e.current() {
			continue
		}
		p := &aptPackage{Name: e.Name, Arch: aptArch(e.Arch, native), Installed: e.Version, installedIdent: e.ident}
		v.pkgs[e.Name] = append(v.pkgs[e.Name], p)
	}

	var notes []error
	files := indexFiles(fsys, sources, names, arches, &notes)
	for _, f := range files {
		if err := v.scan(ctx, fsys, f); err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			notes = append(notes, err)
		}
	}
	// The installed version is offered by the status file, after every list.
	for _, ps := range v.pkgs {
		for _, p := range ps {
			av := p.version(p.Installed, p.installedIdent)
			if av == nil {
				av = &aptVersion{Version: p.Installed, Arch: p.Arch, ident: p.installedIdent}
				p.Versions = append(p.Versions, av)
			}
			av.Files = append(av.Files, 0)
			p.inst = av
		}
	}

	if v.pins, err = readPreferences(fsys); err != nil {
		notes = append(notes, fmt.Errorf("apt preferences: %w (pins ignored)", err))
	}
	setFilePriorities(v.files, v.pins)

	var out []pending
	for _, ps := range v.pkgs {
		for _, p := range ps {
			c := candidate(p, v.files, v.pins, native)
			// Upgradable as apt means it: another version, not lower than the installed one
			// (an equal string is another build of it, sorted before the installed one).
			if c == nil || c == p.inst || compareVersions(c.Version, p.Installed) < 0 {
				continue
			}
			out = append(out, pending{
				Name: p.Name, Arch: c.Arch, Installed: p.Installed, Candidate: c.Version,
				Suites: archives(c, v.files), Origin: relStr(c, v.files), Security: isSecurity(c, v.files),
				ListDate: earliestDate(c, v.files),
			})
		}
	}
	slices.SortFunc(out, func(a, b pending) int {
		return strings.Compare(a.Name+":"+a.Arch, b.Name+":"+b.Arch)
	})
	return out, notes, nil
}

// aptArch is the architecture apt files a package under: the native one for "all".
func aptArch(arch, native string) string {
	if arch == "all" || arch == "" {
		return native
	}
	return arch
}

// indexFiles finds the Packages lists of the configured sources in the lists directory, with
// their Release files, in sources order. A list configured twice is read once, as apt does.
func indexFiles(fsys fs.FS, sources []sourceEntry, names []string, arches []string, notes *[]error) []pkgFile {
	var out []pkgFile
	seen := map[string]bool{}
	has := func(n string) bool { _, ok := slices.BinarySearch(names, n); return ok }
	for _, s := range sources {
		relPrefix, comps, flat := s.indexPrefixes()
		var rel release
		relName := ""
		for _, n := range []string{relPrefix + "InRelease", relPrefix + "Release"} {
			if has(n) {
				relName = n
				break
			}
		}
		if relName == "" && !flat {
			*notes = append(*notes, fmt.Errorf("source %s (%s %s): no InRelease or Release file in %s; run apt-get update", s.Where, s.URI, s.Suite, listsDir))
			continue
		}
		if relName != "" {
			r, err := readReleaseFile(fsys, listsDir+"/"+relName)
			if err != nil {
				*notes = append(*notes, err)
				continue
			}
			rel = r
		}
		add := func(name, component, arch string) {
			if seen[name] {
				return
			}
			seen[name] = true
			out = append(out, pkgFile{Name: name, Rel: rel, Site: site(s.URI), Component: component, Arch: arch})
		}
		if flat {
			if n := pickList(names, relPrefix+"Packages"); n != "" {
				add(n, "", "")
			} else {
				*notes = append(*notes, fmt.Errorf("source %s (%s %s): no Packages list in %s; run apt-get update", s.Where, s.URI, s.Suite, listsDir))
			}
			continue
		}
		for i, cp := range comps {
			found := false
			start, _ := slices.BinarySearch(names, cp+"binary-")
			for _, n := range names[start:] {
				if !strings.HasPrefix(n, cp+"binary-") {
					break
				}
				arch, rest, ok := strings.Cut(strings.TrimPrefix(n, cp+"binary-"), "_")
				if !ok || pickList(names, cp+"binary-"+arch+"_Packages") != n || rest == "" {
					continue
				}
				if arch != "all" && !slices.Contains(arches, arch) {
					continue
				}
				add(n, s.Components[i], arch)
				found = true
			}
			if !found {
				*notes = append(*notes, fmt.Errorf("source %s (%s %s %s): no Packages list in %s; run apt-get update", s.Where, s.URI, s.Suite, s.Components[i], listsDir))
			}
		}
	}
	return out
}

// pickList returns the first existing compression variant of a list, or "".
func pickList(names []string, base string) string {
	for _, ext := range listExts {
		if _, ok := slices.BinarySearch(names, base+ext); ok {
			return base + ext
		}
	}
	return ""
}

func readReleaseFile(fsys fs.FS, name string) (release, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return release{}, fmt.Errorf("read apt release file: %w", err)
	}
	defer f.Close()
	rel, err := parseRelease(f)
	if err != nil {
		return release{}, fmt.Errorf("%s: %w", name, err)
	}
	return rel, nil
}

// scan reads one Packages list and records the versions it offers for packages with a
// current version.
func (v *aptView) scan(ctx context.Context, fsys fs.FS, f pkgFile) error {
	rc, err := openList(fsys, listsDir+"/"+f.Name)
	if err != nil {
		return fmt.Errorf("open apt list: %w", err)
	}
	defer rc.Close()
	idx := len(v.files)
	v.files = append(v.files, f)
	want := func(name []byte) bool { return v.pkgs[string(name)] != nil }
	keep := func(st *listStanza) {
		arch := aptArch(string(st.Arch), v.native)
		for _, p := range v.pkgs[string(st.Package)] {
			if p.Arch != arch {
				continue
			}
			ver := string(st.Version)
			id := st.Ident.ident(st.Arch)
			av := p.version(ver, id)
			if av == nil {
				src, _ := splitSource(string(st.Source), p.Name, ver)
				av = &aptVersion{Version: ver, Arch: string(st.Arch), Source: src, ident: id}
				p.Versions = append(p.Versions, av)
			}
			av.Files = append(av.Files, idx)
		}
	}
	if err := scanPackages(ctx, rc, want, keep); err != nil {
		return fmt.Errorf("read apt list %s: %w", f.Name, err)
	}
	return nil
}

// earliestDate is the earliest Release Date among the files offering v.
func earliestDate(v *aptVersion, files []pkgFile) time.Time {
	var t time.Time
	for _, fi := range v.Files {
		d := files[fi].Rel.Date
		if !d.IsZero() && (t.IsZero() || d.Before(t)) {
			t = d
		}
	}
	return t
}

var defaultReleaseRE = regexp.MustCompile(`(?m)^\s*APT::Default-Release\s+"([^"]*)"\s*;`)

// defaultRelease returns APT::Default-Release when etc/apt/apt.conf or a file in
// etc/apt/apt.conf.d sets it in the one-line form `APT::Default-Release "stable";`. The
// nested form `APT { Default-Release …; }` is not recognised. The last setting wins.
func defaultRelease(fsys fs.FS) (string, error) {
	files := []string{"etc/apt/apt.conf"}
	ents, err := fs.ReadDir(fsys, "etc/apt/apt.conf.d")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("read apt configuration: %w", err)
	}
	for _, e := range ents {
		if !e.IsDir() && aptFileName(e.Name()) && (!strings.Contains(e.Name(), ".") || strings.HasSuffix(e.Name(), ".conf")) {
			files = append(files, "etc/apt/apt.conf.d/"+e.Name())
		}
	}
	val := ""
	for _, name := range files {
		b, err := fs.ReadFile(fsys, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("read apt configuration: %w", err)
		}
		for _, m := range defaultReleaseRE.FindAllSubmatch(b, -1) {
			val = string(m[1])
		}
	}
	return val, nil
}
