package rpm

import (
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/pluginapi"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// testRoot returns the path of testdata root name. A root holding a gzipped database is
// copied into a temporary directory with the database expanded.
func testRoot(t testing.TB, name string) string {
	t.Helper()
	src := filepath.Join("testdata", "roots", name)
	gz, err := filepath.Glob(filepath.Join(src, "usr/lib/sysimage/rpm/*.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if len(gz) == 0 {
		return src
	}
	dst := filepath.Join(t.TempDir(), name)
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	for _, g := range gz {
		rel, _ := filepath.Rel(src, g)
		p := filepath.Join(dst, rel)
		expandGzip(t, p, strings.TrimSuffix(p, ".gz"))
	}
	return dst
}

func expandGzip(t testing.TB, from, to string) {
	t.Helper()
	f, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, zr); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(from); err != nil {
		t.Fatal(err)
	}
}

func pkg(name, version, srcName, srcVersion, eco, arch string) inventory.Package {
	return inventory.Package{Name: name, Version: version, SourceName: srcName, SourceVersion: srcVersion, Ecosystem: eco, Arch: arch}
}

var rocky9Packages = []inventory.Package{
	pkg("ceplus-caret", "0:1.0^git20230101-2.el9", "ceplus-caret", "0:1.0^git20230101-2.el9", "Rocky Linux:9", "x86_64"),
	pkg("ceplus-openssl", "1:3.0.7-16.el9_2", "ceplus-openssl", "1:3.0.7-16.el9_2", "Rocky Linux:9", "x86_64"),
	pkg("ceplus-openssl-libs", "1:3.0.7-16.el9_2", "ceplus-openssl", "1:3.0.7-16.el9_2", "Rocky Linux:9", "x86_64"),
	pkg("ceplus-tilde", "1.2~rc1-1.el9", "ceplus-tilde", "1.2~rc1-1.el9", "Rocky Linux:9", "noarch"),
}

func TestCollect(t *testing.T) {
	opensslSecurity := func(name string) inventory.PendingUpdate {
		return inventory.PendingUpdate{
			Name: name, Arch: "x86_64", Installed: "1:3.0.7-16.el9_2", Candidate: "1:3.0.7-17.el9_2",
			Origin: "baseos", Security: true, Released: "2023-06-21", Severity: "Important",
			Title: "Important: ceplus-openssl security update", IDs: []string{"RLSA-2023:3722", "CVE-2023-0464"},
		}
	}
	alma := make([]inventory.Package, len(rocky9Packages))
	for i, p := range rocky9Packages {
		p.Ecosystem = "AlmaLinux:9"
		alma[i] = p
	}
	tests := []struct {
		name    string
		root    string
		device  inventory.Device
		pkgs    []inventory.Package // nil: checked by count and spot checks below
		count   int
		spot    []inventory.Package
		pending []inventory.PendingUpdate
	}{
		{
			name: "rocky 9 sqlite with dnf cache",
			root: "rocky9",
			device: inventory.Device{Hostname: "rocky9-fixture.example.internal", MachineID: "0f3c5b9e2a6d4c1b8e7f9a0b1c2d3e4f",
				OSFamily: "rocky", OSName: "Rocky Linux", OSVersion: "9.2", Arch: "x86_64", Ecosystem: "Rocky Linux:9"},
			pkgs: rocky9Packages,
			pending: []inventory.PendingUpdate{
				opensslSecurity("ceplus-openssl"),
				opensslSecurity("ceplus-openssl-libs"),
				{Name: "ceplus-tilde", Arch: "noarch", Installed: "1.2~rc1-1.el9", Candidate: "1.2-1.el9", Origin: "appstream",
					Released: "2023-07-01", Title: "ceplus-tilde bug fix update", IDs: []string{"RLBA-2023:2000"}},
			},
		},
		{
			name: "fully patched alma 9",
			root: "alma9-patched",
			device: inventory.Device{Hostname: "alma9-patched", MachineID: "1a2b3c4d5e6f70819a2b3c4d5e6f7081",
				OSFamily: "almalinux", OSName: "AlmaLinux", OSVersion: "9.2", Arch: "x86_64", Ecosystem: "AlmaLinux:9"},
			pkgs: alma,
		},
		{
			name: "rhel 7 berkeley db with yum primary sqlite",
			root: "el7-bdb",
			device: inventory.Device{Hostname: "el7-bdb", OSFamily: "rhel", OSName: "Red Hat Enterprise Linux Server",
				OSVersion: "7.9", Arch: "x86_64", Ecosystem: "Red Hat"},
			pkgs: []inventory.Package{pkg("hello", "1:0.0.1-rls", "hello", "1:0.0.1-rls", "Red Hat", "x86_64")},
			pending: []inventory.PendingUpdate{
				{Name: "hello", Arch: "x86_64", Installed: "1:0.0.1-rls", Candidate: "1:0.0.2-rls", Origin: "base"},
			},
		},
		{
			name: "rocky 8 berkeley db, source name differs",
			root: "el8-bdb",
			device: inventory.Device{Hostname: "el8-bdb", OSFamily: "rocky", OSName: "Rocky Linux", OSVersion: "8.8",
				Arch: "x86_64", Ecosystem: "Rocky Linux:8"},
			pkgs: []inventory.Package{pkg("libuuid", "2.32.1-42.el8_8", "util-linux", "2.32.1-42.el8_8", "Rocky Linux:8", "x86_64")},
		},
		{
			name: "sles 15 ndb with zypper cache",
			root: "sle15-ndb",
			device: inventory.Device{Hostname: "sle15-ndb", OSFamily: "sles", OSName: "SLES", OSVersion: "15.4",
				Arch: "x86_64", Ecosystem: "SUSE:Linux Enterprise Server 15 SP4"},
			count: 35,
			spot: []inventory.Package{
				pkg("bash", "4.4-19.6.1", "bash", "4.4-19.6.1", "SUSE:Linux Enterprise Server 15 SP4", "x86_64"),
				pkg("libgcc_s1", "11.2.1+git610-1.3.9", "gcc11", "11.2.1+git610-1.3.9", "SUSE:Linux Enterprise Server 15 SP4", "x86_64"),
				pkg("system-user-root", "20190513-3.3.1", "system-user-root", "20190513-3.3.1", "SUSE:Linux Enterprise Server 15 SP4", "noarch"),
			},
			pending: []inventory.PendingUpdate{
				{Name: "bash", Arch: "x86_64", Installed: "4.4-19.6.1", Candidate: "4.4-19.9.1", Origin: "SLE-Module-Basesystem15-SP4-Updates",
					Security: true, Released: "2023-03-16", Severity: "moderate", Title: "Security update for bash",
					IDs: []string{"SUSE-SLE-Module-Basesystem-15-SP4-2023-1234", "CVE-2022-3715"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := New().Collect(context.Background(), pluginapi.Request{Root: testRoot(t, tt.root)})
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			if res.Status.Status != inventory.Succeeded || len(res.Status.Errors) > 0 || res.Status.Name != "rpm" {
				t.Errorf("status = %+v, want rpm succeeded without errors", res.Status)
			}
			if diff := cmp.Diff(tt.device, res.Device); diff != "" {
				t.Errorf("device (-want +got):\n%s", diff)
			}
			if tt.pkgs != nil {
				if diff := cmp.Diff(tt.pkgs, res.Packages); diff != "" {
					t.Errorf("packages (-want +got):\n%s", diff)
				}
			} else {
				if len(res.Packages) != tt.count {
					t.Errorf("got %d packages, want %d", len(res.Packages), tt.count)
				}
				for _, want := range tt.spot {
					found := false
					for _, p := range res.Packages {
						if p == want {
							found = true
						}
					}
					if !found {
						t.Errorf("package %+v missing", want)
					}
				}
			}
			if diff := cmp.Diff(tt.pending, res.PendingUpdates, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("pending updates (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCollectNotApplicable(t *testing.T) {
	res, err := New().Collect(context.Background(), pluginapi.Request{Root: t.TempDir()})
	if !errors.Is(err, pluginapi.ErrNotApplicable) {
		t.Fatalf("err = %v, want ErrNotApplicable", err)
	}
	if res.Status.Status != inventory.NotApplicable {
		t.Errorf("status = %q, want not_applicable", res.Status.Status)
	}
}

func TestCollectCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, root := range []string{"rocky9", "el7-bdb", "sle15-ndb"} {
		t.Run(root, func(t *testing.T) {
			res, err := New().Collect(ctx, pluginapi.Request{Root: testRoot(t, root)})
			if !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v, want context.Canceled", err)
			}
			if res.Status.Status != inventory.Failed {
				t.Errorf("status = %q, want failed", res.Status.Status)
			}
		})
	}
}

// TestCollectLeavesRootUntouched checks that reading the sqlite database writes nothing
// next to it (no -shm or -wal file), as a mounted image must stay as it is.
func TestCollectLeavesRootUntouched(t *testing.T) {
	root := filepath.Join(t.TempDir(), "rocky9")
	if err := os.CopyFS(root, os.DirFS(testRoot(t, "rocky9"))); err != nil {
		t.Fatal(err)
	}
	if _, err := New().Collect(context.Background(), pluginapi.Request{Root: root}); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join(root, "var/lib/rpm"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if diff := cmp.Diff([]string{"rpmdb.sqlite"}, names); diff != "" {
		t.Errorf("var/lib/rpm after Collect (-want +got):\n%s", diff)
	}
}
