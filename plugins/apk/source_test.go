package apk

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/pluginapi"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const (
	mainRepo      = "https://dl-cdn.alpinelinux.org/alpine/v3.20/main"
	communityRepo = "https://dl-cdn.alpinelinux.org/alpine/v3.20/community"
	testingRepo   = "https://dl-cdn.alpinelinux.org/alpine/edge/testing"
)

func TestCollect(t *testing.T) {
	res, err := New().Collect(context.Background(), pluginapi.Request{Root: alpineRoot(t, nil)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status.Status != inventory.Succeeded || len(res.Status.Errors) > 0 || res.Status.Name != "apk" {
		t.Errorf("status = %+v, want apk succeeded", res.Status)
	}
	wantDevice := inventory.Device{Hostname: "alpine320", OSFamily: "alpine", OSName: "Alpine Linux", OSVersion: "3.20.3",
		Arch: "x86_64", Ecosystem: "Alpine:v3.20"}
	if diff := cmp.Diff(wantDevice, res.Device); diff != "" {
		t.Errorf("device (-want +got):\n%s", diff)
	}
	if len(res.Packages) != 21 {
		t.Errorf("got %d packages, want 21", len(res.Packages))
	}
	p := func(name, version, src, arch string) inventory.Package {
		return inventory.Package{Name: name, Version: version, SourceName: src, SourceVersion: version, Ecosystem: "Alpine:v3.20", Arch: arch}
	}
	for _, want := range []inventory.Package{
		p("busybox-binsh", "1.36.1-r29", "busybox", "x86_64"),
		p("libcrypto3", "3.3.1-r0", "openssl", "x86_64"),
		p("librtmp", "2.4_git20190330-r4", "rtmpdump", "x86_64"),
		p("ncurses-libs", "6.4_p20240420-r0", "ncurses", "x86_64"),
		p("py3-tomli", "2.0.2_rc1-r0", "py3-tomli", "noarch"),
		p("tzdata", "2024a-r1", "tzdata", "noarch"),
	} {
		if !containsPackage(res.Packages, want) {
			t.Errorf("package %+v missing", want)
		}
	}
	u := func(name, installed, candidate, origin, arch string) inventory.PendingUpdate {
		return inventory.PendingUpdate{Name: name, Installed: installed, Candidate: candidate, Origin: origin, Arch: arch}
	}
	wantPending := []inventory.PendingUpdate{
		u("ca-certificates-bundle", "20240226-r0", "20240705-r0", mainRepo, "x86_64"),
		u("kubectx", "0.9.5-r3", "0.9.5-r4", testingRepo, "x86_64"), // pinned to @testing in world
		u("libcrypto3", "3.3.1-r0", "3.3.2-r0", mainRepo, "x86_64"),
		u("librtmp", "2.4_git20190330-r4", "2.4_git20190330-r5", communityRepo, "x86_64"),
		u("libssl3", "3.3.1-r0", "3.3.2-r0", mainRepo, "x86_64"),
		u("musl", "1.2.5-r0", "1.2.5-r1", mainRepo, "x86_64"), // not 1.2.6 from unpinned @testing, not aarch64
		u("musl-utils", "1.2.5-r0", "1.2.5-r1", mainRepo, "x86_64"),
		u("ncurses-libs", "6.4_p20240420-r0", "6.4_p20240420-r1", mainRepo, "x86_64"),
		u("ncurses-terminfo-base", "6.4_p20240420-r0", "6.4_p20240420-r1", mainRepo, "x86_64"),
		u("py3-tomli", "2.0.2_rc1-r0", "2.0.2-r0", communityRepo, "noarch"),
		u("rtmpdump", "2.4_git20190330-r4", "2.4_git20190330-r5", communityRepo, "x86_64"),
		// tzdata is pinned with tzdata=2024a-r1; zlib's index also has an older 1.3_rc1.
	}
	if diff := cmp.Diff(wantPending, res.PendingUpdates); diff != "" {
		t.Errorf("pending updates (-want +got):\n%s", diff)
	}
}

func containsPackage(pkgs []inventory.Package, want inventory.Package) bool {
	for _, p := range pkgs {
		if p == want {
			return true
		}
	}
	return false
}

// TestCollectFullyPatched builds every index from the installed database itself: nothing is
// pending.
func TestCollectFullyPatched(t *testing.T) {
	installed, err := os.ReadFile("testdata/roots/alpine320/lib/apk/db/installed")
	if err != nil {
		t.Fatal(err)
	}
	idx := map[string][]byte{mainRepo: installed, communityRepo: installed, testingRepo: installed}
	res, err := New().Collect(context.Background(), pluginapi.Request{Root: alpineRoot(t, idx)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status.Status != inventory.Succeeded {
		t.Errorf("status = %+v", res.Status)
	}
	if diff := cmp.Diff([]inventory.PendingUpdate(nil), res.PendingUpdates, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("pending updates (-want +got):\n%s", diff)
	}
}

func TestCollectPartial(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(t *testing.T, root string)
		wantErr string
	}{
		{"index missing", func(t *testing.T, root string) {
			rm(t, filepath.Join(root, "var/cache/apk", cacheName(communityRepo)))
		}, "no cached index"},
		{"index corrupt", func(t *testing.T, root string) {
			write(t, filepath.Join(root, "var/cache/apk", cacheName(mainRepo)), "not gzip")
		}, "read var/cache/apk/APKINDEX."},
		{"no release files", func(t *testing.T, root string) {
			rm(t, filepath.Join(root, "etc/os-release"))
			rm(t, filepath.Join(root, "etc/alpine-release"))
		}, "no OSV ecosystem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := alpineRoot(t, nil)
			tt.mutate(t, root)
			res, err := New().Collect(context.Background(), pluginapi.Request{Root: root})
			if err != nil {
				t.Fatal(err)
			}
			if res.Status.Status != inventory.Partial || !strings.Contains(strings.Join(res.Status.Errors, "\n"), tt.wantErr) {
				t.Errorf("status = %+v, want partial with %q", res.Status, tt.wantErr)
			}
			if len(res.Packages) != 21 {
				t.Errorf("got %d packages, want 21", len(res.Packages))
			}
		})
	}
}

func TestCollectAlpineReleaseFallback(t *testing.T) {
	root := alpineRoot(t, nil)
	rm(t, filepath.Join(root, "etc/os-release"))
	res, err := New().Collect(context.Background(), pluginapi.Request{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if res.Device.Ecosystem != "Alpine:v3.20" || res.Packages[0].Ecosystem != "Alpine:v3.20" || res.Status.Status != inventory.Succeeded {
		t.Errorf("device %+v, status %+v: want Alpine:v3.20 from etc/alpine-release", res.Device, res.Status)
	}
}

func TestCollectNotApplicable(t *testing.T) {
	res, err := New().Collect(context.Background(), pluginapi.Request{Root: t.TempDir()})
	if !errors.Is(err, pluginapi.ErrNotApplicable) || res.Status.Status != inventory.NotApplicable {
		t.Errorf("err = %v, status %q; want ErrNotApplicable", err, res.Status.Status)
	}
}

func TestCollectCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := New().Collect(ctx, pluginapi.Request{Root: alpineRoot(t, nil)})
	if !errors.Is(err, context.Canceled) || res.Status.Status != inventory.Failed {
		t.Errorf("err = %v, status %q; want context.Canceled and failed", err, res.Status.Status)
	}
}

func rm(t *testing.T, p string) {
	t.Helper()
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
