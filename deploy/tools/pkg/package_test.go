package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/deploy/tools/internal/plugsign"
	"github.com/ceplus/ceplus/shared/pluginapi"
)

const testVersion = "1.2.3~test+g0"

// agentFiles are the agent package's files with their ls-style modes; the unit's path is
// Debian's (RPM's is below /usr).
var agentFiles = map[string]string{
	"/usr/lib/ceplus":                          "drwxr-xr-x",
	"/usr/lib/ceplus/ceplus-agent":             "-rwxr-xr-x",
	"/usr/lib/ceplus/ceplus-plugin-apk":        "-rwxr-xr-x",
	"/usr/lib/ceplus/ceplus-plugin-dpkg":       "-rwxr-xr-x",
	"/usr/lib/ceplus/ceplus-plugin-nmap":       "-rwxr-xr-x",
	"/usr/lib/ceplus/ceplus-plugin-rpm":        "-rwxr-xr-x",
	"/usr/lib/ceplus/plugins.json":             "-rw-r--r--",
	"/usr/lib/ceplus/plugins.json.sig":         "-rw-r--r--",
	"/usr/bin/ceplus-agent":                    "lrwxrwxrwx",
	"/lib/systemd/system/ceplus-agent.service": "-rw-r--r--",
}

var collectorFiles = map[string]string{
	"/usr/bin/ceplus-collector":                    "-rwxr-xr-x",
	"/lib/systemd/system/ceplus-collector.service": "-rw-r--r--",
	"/usr/lib/sysctl.d/90-ceplus-quic.conf":        "-rw-r--r--",
}

// TestPackages builds the Linux packages and tarball of this machine's architecture once and
// checks them with dpkg-deb and rpm: files, root ownership and modes, maintainer scripts, and that
// the agent extracted from the .deb runs its signed plugins and refuses them once the directory
// is group-writable; the tarball holds the same signed set.
func TestPackages(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the agent, plugins and collector and packages them; skipped in -short mode")
	}
	if runtime.GOOS != "linux" || (runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64") {
		t.Skipf("packages are built for linux/amd64 and linux/arm64; this is %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	for _, tool := range []string{"dpkg-deb", "rpm", "rpmbuild"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (deploy/dev/setup.sh installs it: apt-get install dpkg rpm); packages not tested", tool)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, key := t.TempDir(), filepath.Join(t.TempDir(), "plugins.key")
	var log bytes.Buffer
	files, err := run(ctx, config{Key: key, Out: out, Version: testVersion, Targets: []string{"linux/" + runtime.GOARCH},
		Formats: []string{"deb", "rpm", "tar"}}, &log)
	if err != nil {
		t.Fatalf("package: %v\n%s", err, log.String())
	}
	arch, rarch := runtime.GOARCH, rpmArch[runtime.GOARCH]
	want := []string{"ceplus-agent_" + testVersion + "_" + arch + ".deb", "ceplus-collector_" + testVersion + "_" + arch + ".deb",
		"ceplus-agent_" + testVersion + "_" + rarch + ".rpm", "ceplus-collector_" + testVersion + "_" + rarch + ".rpm",
		"ceplus-agent-" + testVersion + "-linux-" + arch + ".tar.gz"}
	var got []string
	for _, f := range files {
		got = append(got, filepath.Base(f))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("packages %v, want %v", got, want)
	}
	priv, err := plugsign.LoadOrCreateKey(key, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := pluginapi.ParsePublicKey(plugsign.PublicKey(priv))
	if err != nil {
		t.Fatal(err)
	}
	agentDeb, collectorDeb := filepath.Join(out, want[0]), filepath.Join(out, want[1])

	t.Run("deb", func(t *testing.T) {
		info := runOut(t, "dpkg-deb", "--info", agentDeb)
		for _, s := range []string{"Package: ceplus-agent", "Version: " + testVersion, "Architecture: " + arch, " postinst ", " prerm ", " postrm "} {
			if !strings.Contains(info, s) {
				t.Errorf("dpkg-deb --info lacks %q:\n%s", s, info)
			}
		}
		checkListing(t, "agent .deb", debContents(t, agentDeb), agentFiles, func(s string) string { return s })
		checkListing(t, "collector .deb", debContents(t, collectorDeb), collectorFiles, func(s string) string { return s })
	})
	t.Run("rpm", func(t *testing.T) {
		checkListing(t, "agent .rpm", rpmContents(t, filepath.Join(out, want[2])), agentFiles, rpmPath)
		checkListing(t, "collector .rpm", rpmContents(t, filepath.Join(out, want[3])), collectorFiles, rpmPath)
		scripts := runOut(t, "rpm", "-qp", "--scripts", filepath.Join(out, want[2]))
		for _, s := range []string{"postinstall scriptlet", "set -- configure", "agent.crt", "preuninstall scriptlet", "postuninstall scriptlet"} {
			if !strings.Contains(scripts, s) {
				t.Errorf("rpm --scripts lacks %q", s)
			}
		}
	})
	t.Run("extracted agent runs its signed plugins", func(t *testing.T) {
		x := t.TempDir()
		runOut(t, "dpkg-deb", "-x", agentDeb, x)
		lib := filepath.Join(x, "usr", "lib", "ceplus")
		if link, err := os.Readlink(filepath.Join(x, "usr", "bin", "ceplus-agent")); err != nil || link != "/usr/lib/ceplus/ceplus-agent" {
			t.Errorf("usr/bin/ceplus-agent links to %q (%v), want /usr/lib/ceplus/ceplus-agent", link, err)
		}
		// Extracted by this test's user, so owned by it: the agent accepts its own user or root.
		inv := agentInventory(t, lib)
		status := map[string]string{}
		for _, s := range inv.Sources {
			status[s.Name] = s.Status
		}
		if status["dpkg"] != "succeeded" || inv.Packages == 0 || status["rpm"] != "not_applicable" || status["apk"] != "not_applicable" {
			t.Errorf("inventory of the Debian test root: sources %v, %d packages; want dpkg succeeded with packages, rpm and apk not applicable", status, inv.Packages)
		}
		if err := os.Chmod(lib, 0o775); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(filepath.Join(lib, "ceplus-agent"), "inventory", "--plugins", lib, "--root", testRoot)
		if msg, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(msg), "writable by group or others") {
			t.Errorf("agent ran plugins from a group-writable directory: %v\n%s", err, msg)
		}
	})
	t.Run("tarball", func(t *testing.T) {
		dir := t.TempDir()
		names := untar(t, filepath.Join(out, want[4]), dir)
		top := "ceplus-agent-" + testVersion + "-linux-" + arch + "/"
		for _, n := range []string{"ceplus-agent", "ceplus-plugin-dpkg", "ceplus-plugin-nmap", "plugins.json", "plugins.json.sig", "ceplus-agent.service"} {
			if !slices.Contains(names, top+n) {
				t.Errorf("tarball lacks %s%s: %v", top, n, names)
			}
		}
		m, err := pluginapi.LoadManifest(filepath.Join(dir, top), pub)
		if err != nil {
			t.Fatalf("tarball manifest: %v", err)
		}
		kinds := map[string]string{}
		for _, e := range m.Plugins {
			kinds[e.Name] = e.Kind
			if err := pluginapi.CheckFile(filepath.Join(dir, top, e.File), e); err != nil {
				t.Error(err)
			}
		}
		if want := map[string]string{"apk": "packages", "dpkg": "packages", "rpm": "packages", "nmap": "discovery"}; !equalMaps(kinds, want) {
			t.Errorf("tarball signs %v, want %v (no Windows or macOS plugins)", kinds, want)
		}
	})
}

// testRoot is a Debian 12 file tree of the agent's own tests.
const testRoot = "../../../agent/internal/cli/testdata/debian12"

type inventorySummary struct {
	Sources []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
	}
	Packages int
}

// agentInventory runs the agent in lib on testRoot with the plugins of lib.
func agentInventory(t *testing.T, lib string) inventorySummary {
	t.Helper()
	cmd := exec.Command(filepath.Join(lib, "ceplus-agent"), "inventory", "--json", "--plugins", lib, "--root", testRoot)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("extracted agent inventory: %v\n%s", err, stderr.String())
	}
	var inv struct {
		Sources []struct {
			Name   string `json:"name"`
			Status string `json:"status"`
		} `json:"sources"`
		Packages []json.RawMessage `json:"packages"`
	}
	if err := json.Unmarshal(b, &inv); err != nil {
		t.Fatalf("extracted agent inventory: %v", err)
	}
	return inventorySummary{Sources: inv.Sources, Packages: len(inv.Packages)}
}

// listing maps a path to its mode string and owner.
type listing map[string][2]string

// debContents parses dpkg-deb --contents.
func debContents(t *testing.T, deb string) listing {
	l := listing{}
	for _, line := range strings.Split(runOut(t, "dpkg-deb", "--contents", deb), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 {
			continue
		}
		p := strings.TrimSuffix(strings.TrimPrefix(f[5], "."), "/")
		if p != "" {
			l[p] = [2]string{f[0], f[1]}
		}
	}
	return l
}

// rpmContents parses rpm -qlp --dump: path size mtime digest mode owner group ….
func rpmContents(t *testing.T, rpm string) listing {
	l := listing{}
	for _, line := range strings.Split(runOut(t, "rpm", "-qlp", "--dump", rpm), "\n") {
		f := strings.Fields(line)
		if len(f) < 7 {
			continue
		}
		l[f[0]] = [2]string{modeString(f[4]), f[5] + "/" + f[6]}
	}
	return l
}

// modeString turns an octal st_mode (0100755) into ls's form (-rwxr-xr-x).
func modeString(octal string) string {
	var m uint32
	for _, c := range octal {
		m = m*8 + uint32(c-'0')
	}
	mode := os.FileMode(m & 0o777)
	switch m & 0o170000 {
	case 0o040000:
		mode |= os.ModeDir
	case 0o120000:
		mode |= os.ModeSymlink
	}
	s := mode.String()
	if mode&os.ModeSymlink != 0 {
		s = "l" + s[1:]
	}
	return s
}

// checkListing checks that every wanted file is listed with its mode, owned by root, and
// nothing but directories is listed besides.
func checkListing(t *testing.T, what string, got listing, want map[string]string, rename func(string) string) {
	t.Helper()
	for p, mode := range want {
		g, ok := got[rename(p)]
		if !ok {
			t.Errorf("%s lacks %s", what, rename(p))
			continue
		}
		if g[0] != mode || g[1] != "root/root" {
			t.Errorf("%s: %s is %s %s, want %s root/root", what, rename(p), g[0], g[1], mode)
		}
	}
	for p, g := range got {
		if !strings.HasPrefix(g[0], "d") && !slices.ContainsFunc(keys(want), func(w string) bool { return rename(w) == p }) {
			t.Errorf("%s holds %s, not in the package's list", what, p)
		}
	}
}

func keys(m map[string]string) []string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	return k
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// untar extracts a .tar.gz into dir, checking that every entry is root's, and returns the names.
func untar(t *testing.T, path, dir string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if h.Uid != 0 || h.Gid != 0 || h.Uname != "root" {
			t.Errorf("tarball entry %s belongs to %d:%d %s, want root", h.Name, h.Uid, h.Gid, h.Uname)
		}
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		if h.Typeflag == tar.TypeDir {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, os.FileMode(h.Mode)); err != nil {
			t.Fatal(err)
		}
	}
}

// runOut runs a command and returns its standard output.
func runOut(t *testing.T, name string, args ...string) string {
	t.Helper()
	b, err := exec.Command(name, args...).Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, msg)
	}
	return string(b)
}
