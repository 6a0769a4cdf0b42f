package dpkg

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ceplus/ceplus/shared/inventory"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// testRoots are the hand-written systems in testdata. Each has a dpkg status, os-release,
// sources in both formats or one, apt lists (plain, gzip, xz) with InRelease or Release files,
// a security and a normal suite, and pins.
var testRoots = []struct {
	name    string
	device  inventory.Device
	pkgs    int
	pending []inventory.PendingUpdate
}{
	{
		name: "debian12",
		device: inventory.Device{Hostname: "deb12-test", MachineID: "0123456789abcdef0123456789abcdef", OSFamily: "debian",
			OSName: "Debian GNU/Linux", OSVersion: "12", Arch: "amd64", Ecosystem: "Debian:12", Build: "Debian 12"},
		// 14 stanzas, one of them config-files only.
		pkgs: 13,
		pending: []inventory.PendingUpdate{
			{Name: "base-files", Installed: "12.4+deb12u5", Candidate: "12.4+deb12u8", Origin: "Debian:12.8/stable", Arch: "amd64"},
			// Another build of the installed version: apt offers it as an upgrade.
			{Name: "dpkg", Installed: "1.21.22", Candidate: "1.21.22", Origin: "Debian:12.8/stable", Arch: "amd64"},
			// Installed from backports (NotAutomatic + ButAutomaticUpgrades, priority 100).
			{Name: "golang-1.22-go", Installed: "1.22.6-1~bpo12+1", Candidate: "1.22.8-1~bpo12+1", Origin: "Debian Backports:stable-backports", Arch: "amd64"},
			// In the point release and the security suite.
			{Name: "libc6", Installed: "2.36-9+deb12u4", Candidate: "2.36-9+deb12u9", Origin: "Debian:12.8/stable, Debian-Security:12/stable-security", Security: true, Arch: "amd64"},
			{Name: "libssl3", Installed: "3.0.11-1~deb12u2", Candidate: "3.0.15-1~deb12u1", Origin: "Debian-Security:12/stable-security", Security: true, Arch: "amd64"},
			// Held by dpkg: apt still lists it.
			{Name: "linux-image-amd64", Installed: "6.1.76-1", Candidate: "6.1.112-1", Origin: "Debian:12.8/stable", Arch: "amd64"},
			{Name: "openssl", Installed: "3.0.11-1~deb12u2", Candidate: "3.0.15-1~deb12u1", Origin: "Debian-Security:12/stable-security", Security: true, Arch: "amd64"},
			// 1.0~rc1 sorts before 1.0.
			{Name: "python3-foo", Installed: "1.0~rc1-1", Candidate: "1.0-1", Origin: "Debian:12.8/stable", Arch: "all"},
			{Name: "tzdata", Installed: "2024a-0+deb12u1", Candidate: "2024b-0+deb12u1", Origin: "Debian:12-updates/stable-updates", Arch: "all"},
			// Not pending: bash (same build), libc6:i386 (no i386 list), nginx (backports
			// only, priority 100 < 500), zlib1g (version pin 1001 on the installed version),
			// libfoo1 (config-files), and nothing from the disabled trixie source.
		},
	},
	{
		name: "ubuntu2204",
		device: inventory.Device{Hostname: "jammy-test", MachineID: "fedcba9876543210fedcba9876543210", OSFamily: "ubuntu",
			OSName: "Ubuntu", OSVersion: "22.04", Arch: "amd64", Ecosystem: "Ubuntu:22.04:LTS", Build: "Ubuntu 22.04"},
		pkgs: 8,
		pending: []inventory.PendingUpdate{
			{Name: "libc6", Installed: "2.35-0ubuntu3.1", Candidate: "2.35-0ubuntu3.8", Origin: "Ubuntu:22.04/jammy-updates", Arch: "amd64"},
			{Name: "libssl3", Installed: "3.0.2-0ubuntu1.10", Candidate: "3.0.2-0ubuntu1.15", Origin: "Ubuntu:22.04/jammy-updates, Ubuntu:22.04/jammy-security", Security: true, Arch: "amd64"},
			{Name: "openssl", Installed: "3.0.2-0ubuntu1.10", Candidate: "3.0.2-0ubuntu1.15", Origin: "Ubuntu:22.04/jammy-updates, Ubuntu:22.04/jammy-security", Security: true, Arch: "amd64"},
			{Name: "tzdata", Installed: "2024a-0ubuntu0.22.04", Candidate: "2024a-0ubuntu0.22.04.1", Origin: "Ubuntu:22.04/jammy-updates, Ubuntu:22.04/jammy-security", Security: true, Arch: "all"},
			// ~22.04 suffixes; snapd is pinned to -10 in jammy-updates, so not pending.
			{Name: "ubuntu-advantage-tools", Installed: "27.14.4~22.04", Candidate: "31.2~22.04", Origin: "Ubuntu:22.04/jammy-updates", Arch: "amd64"},
		},
	},
}

func TestCollectTestdataRoots(t *testing.T) {
	for _, tr := range testRoots {
		t.Run(tr.name, func(t *testing.T) {
			res := collect(t, filepath.Join("testdata", tr.name))
			if res.Status.Status != inventory.Succeeded || len(res.Status.Errors) > 0 {
				t.Errorf("status %s, errors %q; want succeeded without errors", res.Status.Status, res.Status.Errors)
			}
			if d := cmp.Diff(tr.device, res.Device); d != "" {
				t.Errorf("device (-want +got):\n%s", d)
			}
			if len(res.Packages) != tr.pkgs {
				t.Errorf("%d packages, want %d", len(res.Packages), tr.pkgs)
			}
			for _, p := range res.Packages {
				if p.Ecosystem != tr.device.Ecosystem || p.SourceName == "" || p.SourceVersion == "" {
					t.Errorf("package %+v: want ecosystem %q and a source name and version", p, tr.device.Ecosystem)
				}
			}
			if d := cmp.Diff(tr.pending, res.PendingUpdates); d != "" {
				t.Errorf("pending updates (-want +got):\n%s", d)
			}
			golden(t, filepath.Join("testdata", tr.name+".golden.json"), res)
		})
	}
}

// TestCollectDebianPackages checks the status parsing details on the Debian root: epochs kept,
// "Source: name (version)", "Source: name", no Source, a foreign-architecture package, and a
// config-files package left out.
func TestCollectDebianPackages(t *testing.T) {
	res := collect(t, filepath.Join("testdata", "debian12"))
	got := map[string]inventory.Package{}
	for _, p := range res.Packages {
		got[p.Name+":"+p.Arch] = p
	}
	want := map[string]inventory.Package{
		"zlib1g:amd64":            {Name: "zlib1g", Version: "1:1.2.13.dfsg-1", SourceName: "zlib", SourceVersion: "1:1.2.13.dfsg-1", Arch: "amd64"},
		"bash:amd64":              {Name: "bash", Version: "5.2.15-2+b2", SourceName: "bash", SourceVersion: "5.2.15-2", Arch: "amd64"},
		"linux-image-amd64:amd64": {Name: "linux-image-amd64", Version: "6.1.76-1", SourceName: "linux-signed-amd64", SourceVersion: "6.1.76+1", Arch: "amd64"},
		"libssl3:amd64":           {Name: "libssl3", Version: "3.0.11-1~deb12u2", SourceName: "openssl", SourceVersion: "3.0.11-1~deb12u2", Arch: "amd64"},
		"base-files:amd64":        {Name: "base-files", Version: "12.4+deb12u5", SourceName: "base-files", SourceVersion: "12.4+deb12u5", Arch: "amd64"},
		"libc6:i386":              {Name: "libc6", Version: "2.36-9+deb12u4", SourceName: "glibc", SourceVersion: "2.36-9+deb12u4", Arch: "i386"},
		"python3-foo:all":         {Name: "python3-foo", Version: "1.0~rc1-1", SourceName: "python3-foo", SourceVersion: "1.0~rc1-1", Arch: "all"},
	}
	for k, w := range want {
		w.Ecosystem = "Debian:12"
		if d := cmp.Diff(w, got[k]); d != "" {
			t.Errorf("%s (-want +got):\n%s", k, d)
		}
	}
	if p, ok := got["libfoo1:amd64"]; ok {
		t.Errorf("config-files package reported as installed: %+v", p)
	}
}

// TestTestdataMatchesApt runs the real apt on the test roots: `apt list --upgradable` must
// print the same names, suites, versions and architectures, and `apt-get -s dist-upgrade` the
// same origins. This checks the hand-written expectations above against apt itself.
func TestTestdataMatchesApt(t *testing.T) {
	for _, tool := range []string{"apt", "apt-get"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed: %v", tool, err)
		}
	}
	for _, tr := range testRoots {
		t.Run(tr.name, func(t *testing.T) {
			root, err := filepath.Abs(filepath.Join("testdata", tr.name))
			if err != nil {
				t.Fatal(err)
			}
			opts := []string{"-o", "Dir=" + root + "/", "-o", "Dir::State::status=" + filepath.Join(root, statusFile),
				"-o", "Dir::Cache::pkgcache=", "-o", "Dir::Cache::srcpkgcache=", "-o", "Debug::NoLocking=1",
				// Only the architectures the root's dpkg knows, whatever this host's are.
				"-o", "APT::Architectures::=amd64", "-o", "APT::Architecture=amd64"}
			want, err := parseAptList(run(t, "apt", append([]string{"list", "--upgradable"}, opts...)...))
			if err != nil {
				t.Fatal(err)
			}
			got := livePending(t, root)
			if d := cmp.Diff(sortAptList(want), sortAptList(pendingAsAptList(got))); d != "" {
				t.Errorf("pending updates differ from apt list --upgradable (-apt +source):\n%s", d)
			}
			origins := map[string]string{}
			for _, p := range got {
				origins[p.Name] = p.Origin
			}
			sim := run(t, "apt-get", append([]string{"-s", "dist-upgrade"}, opts...)...)
			sc := bufio.NewScanner(bytes.NewReader(sim))
			n := 0
			for sc.Scan() {
				rest, ok := strings.CutPrefix(sc.Text(), "Inst ")
				if !ok {
					continue
				}
				name, _, _ := strings.Cut(rest, " ")
				_, paren, _ := strings.Cut(rest, " (")
				paren, _, _ = strings.Cut(paren, ")")
				_, origin, _ := strings.Cut(paren, " ")
				if i := strings.LastIndex(origin, " ["); i >= 0 {
					origin = origin[:i]
				}
				n++
				if origins[name] != origin {
					t.Errorf("%s: origin %q, apt-get says %q", name, origins[name], origin)
				}
			}
			if n == 0 {
				t.Errorf("apt-get -s dist-upgrade installed nothing:\n%s", sim)
			}
		})
	}
}

// golden compares v, as indented JSON without the run's duration, with a golden file;
// -update rewrites the file.
func golden(t *testing.T, path string, res inventory.Result) {
	t.Helper()
	res.Status.DurationMS = 0
	res.Status.Version = ""
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if d := cmp.Diff(string(want), string(b)); d != "" {
		t.Errorf("%s differs (-want +got); if the change is right, rerun with -update:\n%s", path, d)
	}
}
