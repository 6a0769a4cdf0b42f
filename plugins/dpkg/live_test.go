package dpkg

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/pluginapi"
)

// The live tests compare this package with dpkg-query and apt on the machine running the
// tests. They need a Debian-family system; elsewhere they skip, saying why.

func needLive(t *testing.T, tools ...string) {
	t.Helper()
	if _, err := os.Stat("/var/lib/dpkg/status"); err != nil {
		t.Skipf("not a dpkg system (no /var/lib/dpkg/status): %v", err)
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed: %v", tool, err)
		}
	}
}

// run runs a command in the C locale and returns its standard output.
func run(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "LANG=C", "LC_ALL=C")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

func collect(t testing.TB, root string) inventory.Result {
	t.Helper()
	res, err := New().Collect(context.Background(), pluginapi.Request{Root: root})
	if err != nil {
		t.Fatalf("Collect(%s): %v", root, err)
	}
	return res
}

// TestLiveInstalledMatchesDpkgQuery: the installed packages equal what dpkg-query reports for
// packages in the installed (or triggers-*) state: name, architecture, version, source name
// and source version, and the count.
func TestLiveInstalledMatchesDpkgQuery(t *testing.T) {
	needLive(t, "dpkg-query")
	out := run(t, "dpkg-query", "-W", "-f",
		`${Package}\t${Architecture}\t${Version}\t${source:Package}\t${source:Version}\t${db:Status-Status}\n`)
	var want []inventory.Package
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 6 {
			t.Fatalf("dpkg-query line %q: want 6 fields", sc.Text())
		}
		switch f[5] {
		case "installed", "triggers-awaited", "triggers-pending":
			want = append(want, inventory.Package{Name: f[0], Arch: f[1], Version: f[2], SourceName: f[3], SourceVersion: f[4]})
		}
	}
	res := collect(t, "/")
	var got []inventory.Package
	for _, p := range res.Packages {
		if p.Ecosystem == "" {
			t.Errorf("package %s has no ecosystem", p.Name)
		}
		p.Ecosystem = ""
		got = append(got, p)
	}
	key := func(a, b inventory.Package) int { return strings.Compare(a.Name+":"+a.Arch, b.Name+":"+b.Arch) }
	slices.SortFunc(want, key)
	slices.SortFunc(got, key)
	if len(got) != len(want) {
		t.Errorf("%d packages, dpkg-query reports %d", len(got), len(want))
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("packages differ from dpkg-query (-dpkg-query +source):\n%s", d)
	}
	t.Logf("%d installed packages match dpkg-query; device %+v", len(got), res.Device)
}

// aptListEntry is one line of `apt list --upgradable`.
type aptListEntry struct {
	Name, Suites, Candidate, Arch, Installed string
}

// parseAptList parses `apt list --upgradable` output:
// "name/suite[,suite] candidate arch [upgradable from: installed]".
func parseAptList(b []byte) ([]aptListEntry, error) {
	var out []aptListEntry
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line == "Listing..." || strings.HasPrefix(line, "WARNING:") {
			continue
		}
		head, from, ok := strings.Cut(line, " [upgradable from: ")
		if !ok {
			return nil, fmt.Errorf("apt list line %q: no [upgradable from: …]", line)
		}
		f := strings.Fields(head)
		if len(f) != 3 {
			return nil, fmt.Errorf("apt list line %q: want name/suite version arch", line)
		}
		name, suites, ok := strings.Cut(f[0], "/")
		if !ok {
			return nil, fmt.Errorf("apt list line %q: no /suite", line)
		}
		out = append(out, aptListEntry{Name: name, Suites: suites, Candidate: f[1], Arch: f[2], Installed: strings.TrimSuffix(from, "]")})
	}
	return out, sc.Err()
}

func pendingAsAptList(ps []pending) []aptListEntry {
	out := []aptListEntry{}
	for _, p := range ps {
		out = append(out, aptListEntry{Name: p.Name, Suites: strings.Join(p.Suites, ","), Candidate: p.Candidate, Arch: p.Arch, Installed: p.Installed})
	}
	return out
}

func sortAptList(es []aptListEntry) []aptListEntry {
	if es == nil {
		es = []aptListEntry{}
	}
	slices.SortFunc(es, func(a, b aptListEntry) int { return strings.Compare(a.Name+":"+a.Arch, b.Name+":"+b.Arch) })
	return es
}

// livePending runs the internal pending computation on a root, failing on notes: on a
// healthy system every configured list is present.
func livePending(t *testing.T, root string) []pending {
	t.Helper()
	fsys := os.DirFS(root)
	f, err := fsys.Open(statusFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := parseStatus(f)
	if err != nil {
		t.Fatal(err)
	}
	native := nativeArch(fsys, st)
	arches, err := architectures(fsys, native)
	if err != nil {
		t.Fatal(err)
	}
	ps, notes, err := pendingUpdates(context.Background(), fsys, st, native, arches)
	if err != nil {
		t.Fatalf("pendingUpdates(%s): %v", root, err)
	}
	for _, n := range notes {
		t.Logf("note: %v", n)
	}
	return ps
}

// TestLivePendingMatchesAptList: the pending updates equal `apt list --upgradable` on this
// machine, run at test time: name, suites, candidate, architecture and installed version.
// The origin strings equal what `apt-get -s dist-upgrade` prints for the same packages.
func TestLivePendingMatchesAptList(t *testing.T) {
	needLive(t, "apt", "apt-get")
	want, err := parseAptList(run(t, "apt", "list", "--upgradable"))
	if err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 {
		t.Log("apt list --upgradable is empty here: TestLivePendingLoweredRoot makes the comparison non-trivial")
	}
	got := livePending(t, "/")
	if d := cmp.Diff(sortAptList(want), sortAptList(pendingAsAptList(got))); d != "" {
		t.Errorf("pending updates differ from apt list --upgradable (-apt +source):\n%s", d)
	}

	res := collect(t, "/")
	if len(res.PendingUpdates) != len(want) {
		t.Errorf("Collect reports %d pending updates, apt %d", len(res.PendingUpdates), len(want))
	}
	for _, u := range res.PendingUpdates {
		if sec := strings.Contains(u.Origin, "-security"); sec != u.Security {
			t.Errorf("%s: origin %q but security %v", u.Name, u.Origin, u.Security)
		}
		if u.Released != "" {
			t.Errorf("%s: Released %q set from list data, which knows no release date", u.Name, u.Released)
		}
	}
	if t.Failed() {
		return
	}

	// Origins: apt-get's simulation prints "Inst name [old] (new Label:Version/Suite[, …] [arch])".
	origins := map[string]string{}
	for _, u := range res.PendingUpdates {
		origins[u.Name+" "+u.Candidate] = u.Origin
	}
	sim := run(t, "apt-get", "-s", "-o", "Debug::NoLocking=1", "dist-upgrade")
	checked := 0
	sc := bufio.NewScanner(bytes.NewReader(sim))
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, "Inst ")
		if !ok {
			continue
		}
		name, _, _ := strings.Cut(rest, " ")
		_, paren, ok := strings.Cut(rest, " (")
		if !ok {
			continue
		}
		paren, _, _ = strings.Cut(paren, ")")
		ver, origin, _ := strings.Cut(paren, " ")
		if i := strings.LastIndex(origin, " ["); i >= 0 {
			origin = origin[:i]
		}
		gotOrigin, ok := origins[name+" "+ver]
		if !ok {
			continue // a new dependency, not an upgrade
		}
		checked++
		if gotOrigin != origin {
			t.Errorf("%s %s: origin %q, apt-get says %q", name, ver, gotOrigin, origin)
		}
	}
	t.Logf("%d pending updates match apt list --upgradable; %d origins match apt-get -s dist-upgrade", len(want), checked)
}

// loweredScenario is a test root made from this machine's real apt lists and sources with a
// doctored dpkg status (some versions lowered, some states changed) and pins.
type loweredScenario struct {
	name  string
	prefs string
	// aptConf is written to etc/apt/apt.conf.d and passed to apt as -o options.
	aptConf map[string]string
}

// TestLivePendingLoweredRoot builds roots in t.TempDir that share this machine's sources and
// apt lists but have a status file with lowered versions and changed states, and pins of
// every kind; for each, real apt (pointed at the same status and preferences) and this package
// must agree on the upgradable list.
func TestLivePendingLoweredRoot(t *testing.T) {
	needLive(t, "apt")
	if _, err := os.Stat("/var/lib/apt/lists"); err != nil {
		t.Skipf("no apt lists: %v", err)
	}
	status, err := os.ReadFile("/var/lib/dpkg/status")
	if err != nil {
		t.Fatal(err)
	}
	status, lowered, changed := lowerStatus(status)
	t.Logf("lowered %d versions, changed %v", lowered, changed)

	scenarios := []loweredScenario{
		{name: "defaults"},
		{name: "pins", prefs: `# every pin type apt knows
Package: *
Pin: release l=Debian-Security
Pin-Priority: 50

Package: *
Pin: release a=*-updates
Pin-Priority: 40

Package: lib*
Pin: origin deb.debian.org
Pin-Priority: 99

Package: /^curl$/
Pin: version *
Pin-Priority: -1

Package: src:krb5 src:openssl
Pin: release n=bookworm-security
Pin-Priority: 990

Package: bash tzdata:amd64 base-files
Pin: version 0*
Pin-Priority: 1001
`},
		{name: "default release", aptConf: map[string]string{"APT::Default-Release": "bookworm-security"}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			root := t.TempDir()
			mustWrite(t, filepath.Join(root, statusFile), status)
			for _, d := range []string{"etc/apt/sources.list.d", "var/lib/apt/lists"} {
				if _, err := os.Stat("/" + d); err == nil {
					mustSymlink(t, "/"+d, filepath.Join(root, d))
				}
			}
			for _, f := range []string{"etc/apt/sources.list", "etc/os-release"} {
				if _, err := os.Stat("/" + f); err == nil {
					mustSymlink(t, "/"+f, filepath.Join(root, f))
				}
			}
			prefsDir := filepath.Join(root, "etc/apt/preferences.d")
			if err := os.MkdirAll(prefsDir, 0o755); err != nil {
				t.Fatal(err)
			}
			// Keep the machine's own pins, so that apt and this package see the same set.
			if ents, err := os.ReadDir("/etc/apt/preferences.d"); err == nil {
				for _, e := range ents {
					b, err := os.ReadFile(filepath.Join("/etc/apt/preferences.d", e.Name()))
					if err != nil {
						t.Fatal(err)
					}
					mustWrite(t, filepath.Join(prefsDir, e.Name()), b)
				}
			}
			if b, err := os.ReadFile("/etc/apt/preferences"); err == nil {
				mustWrite(t, filepath.Join(root, "etc/apt/preferences"), b)
			}
			if sc.prefs != "" {
				mustWrite(t, filepath.Join(prefsDir, "zz-ceplus-test.pref"), []byte(sc.prefs))
			}
			args := []string{"list", "--upgradable",
				"-o", "Dir::State::status=" + filepath.Join(root, statusFile),
				"-o", "Dir::Etc::preferences=" + filepath.Join(root, "etc/apt/preferences"),
				"-o", "Dir::Etc::preferencesparts=" + prefsDir,
				"-o", "Dir::Cache::pkgcache=", "-o", "Dir::Cache::srcpkgcache=",
			}
			var conf strings.Builder
			for k, v := range sc.aptConf {
				args = append(args, "-o", k+"="+v)
				fmt.Fprintf(&conf, "%s %q;\n", k, v)
			}
			if conf.Len() > 0 {
				mustWrite(t, filepath.Join(root, "etc/apt/apt.conf.d/99ceplus-test"), []byte(conf.String()))
			}
			want, err := parseAptList(run(t, "apt", args...))
			if err != nil {
				t.Fatal(err)
			}
			got := livePending(t, root)
			if d := cmp.Diff(sortAptList(want), sortAptList(pendingAsAptList(got))); d != "" {
				t.Errorf("pending updates differ from apt list --upgradable (-apt +source):\n%s", d)
			}
			t.Logf("%d pending updates match apt", len(want))
		})
	}
}

// lowerStatus returns a copy of a status file in which every fifth package gets the version
// "0~ceplus1" (a package in apt's lists becomes upgradable), and a few change state:
// one is held, one left unpacked, one reduced to config-files.
func lowerStatus(status []byte) (out []byte, lowered int, changed []string) {
	stanzas := bytes.Split(bytes.TrimRight(status, "\n"), []byte("\n\n"))
	states := []string{"hold ok installed", "install ok unpacked", "deinstall ok config-files"}
	for i, st := range stanzas {
		lines := bytes.Split(st, []byte("\n"))
		var name string
		for _, l := range lines {
			if n, ok := bytes.CutPrefix(l, []byte("Package: ")); ok {
				name = string(n)
			}
		}
		for j, l := range lines {
			switch {
			case i%5 == 0 && bytes.HasPrefix(l, []byte("Version: ")):
				lines[j] = []byte("Version: 0~ceplus1")
				lowered++
			case i%5 == 0 && i%3 == 0 && len(states) > 0 && bytes.HasPrefix(l, []byte("Status: ")) && name != "dpkg":
				lines[j] = []byte("Status: " + states[0])
				changed = append(changed, name+"="+states[0])
				states = states[1:]
			}
		}
		stanzas[i] = bytes.Join(lines, []byte("\n"))
	}
	return append(bytes.Join(stanzas, []byte("\n\n")), '\n'), lowered, changed
}

func mustWrite(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}
