package dpkg

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/pluginapi"
)

func TestInfo(t *testing.T) {
	info := New().Info()
	if info.Name != "dpkg" || !regexp.MustCompile(`^[a-z0-9-]+$`).MatchString(info.Name) {
		t.Errorf("name %q", info.Name)
	}
	if info.Kind != pluginapi.KindPackages || len(info.OS) != 1 || info.OS[0] != "linux" || info.RunningSystem || info.Root || info.Version == "" {
		t.Errorf("info %+v", info)
	}
}

func TestCollectNotApplicable(t *testing.T) {
	res, err := New().Collect(context.Background(), pluginapi.Request{Root: t.TempDir()})
	if !errors.Is(err, pluginapi.ErrNotApplicable) {
		t.Fatalf("err = %v, want ErrNotApplicable", err)
	}
	if res.Status.Status != inventory.NotApplicable || res.Status.Name != "dpkg" {
		t.Errorf("status %+v", res.Status)
	}
}

// copyRoot copies a testdata root into a temporary directory that the test may change.
func copyRoot(t *testing.T, name string) string {
	t.Helper()
	dst := t.TempDir()
	src := filepath.Join("testdata", name)
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		mustWrite(t, filepath.Join(dst, rel), b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestCollectPartial: what leaves the answer incomplete is named and makes the result Partial,
// never a silent success.
func TestCollectPartial(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, root string)
		want   string
	}{
		{"no apt lists", func(t *testing.T, root string) {
			if err := os.RemoveAll(filepath.Join(root, listsDir)); err != nil {
				t.Fatal(err)
			}
		}, "apt has never fetched its package lists"},
		{"a configured source never fetched", func(t *testing.T, root string) {
			if err := os.Remove(filepath.Join(root, listsDir, "deb.debian.org_debian-security_dists_bookworm-security_Release")); err != nil {
				t.Fatal(err)
			}
		}, "no InRelease or Release file"},
		{"no sources", func(t *testing.T, root string) {
			for _, p := range []string{"etc/apt/sources.list", "etc/apt/sources.list.d"} {
				if err := os.RemoveAll(filepath.Join(root, p)); err != nil {
					t.Fatal(err)
				}
			}
		}, "no deb source"},
		{"corrupt list", func(t *testing.T, root string) {
			mustWrite(t, filepath.Join(root, listsDir, "deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.gz"), []byte("not gzip"))
		}, "open apt list"},
		{"half-configured package", func(t *testing.T, root string) {
			p := filepath.Join(root, statusFile)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			b = []byte(strings.Replace(string(b), "Package: nginx\nStatus: install ok installed", "Package: nginx\nStatus: install ok half-configured", 1))
			mustWrite(t, p, b)
		}, "nginx:amd64 is half-configured"},
		{"no os-release", func(t *testing.T, root string) {
			if err := os.Remove(filepath.Join(root, "etc/os-release")); err != nil {
				t.Fatal(err)
			}
		}, "os release unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := copyRoot(t, "debian12")
			tt.change(t, root)
			res := collect(t, root)
			if res.Status.Status != inventory.Partial {
				t.Errorf("status %s, want partial", res.Status.Status)
			}
			if !strings.Contains(strings.Join(res.Status.Errors, "\n"), tt.want) {
				t.Errorf("errors %q do not mention %q", res.Status.Errors, tt.want)
			}
			if len(res.Packages) == 0 {
				t.Error("no packages: a partial result still carries what was read")
			}
		})
	}
}

func TestCollectCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := New().Collect(ctx, pluginapi.Request{Root: filepath.Join("testdata", "debian12")})
	if !errors.Is(err, context.Canceled) || res.Status.Status != inventory.Failed {
		t.Errorf("err %v, status %s; want context.Canceled and failed", err, res.Status.Status)
	}
}

// TestCollectForeignArchitecture: lists of an architecture dpkg is not configured for are
// ignored, as apt ignores them; once var/lib/dpkg/arch adds it, they count.
func TestCollectForeignArchitecture(t *testing.T) {
	root := copyRoot(t, "debian12")
	mustWrite(t, filepath.Join(root, listsDir, "deb.debian.org_debian_dists_bookworm_main_binary-i386_Packages"),
		[]byte("Package: libc6\nVersion: 2.36-9+deb12u9\nArchitecture: i386\nMulti-Arch: same\nInstalled-Size: 100\n"))
	pendingFor := func() map[string]string {
		got := map[string]string{}
		for _, u := range collect(t, root).PendingUpdates {
			got[u.Name+":"+u.Arch] = u.Candidate
		}
		return got
	}
	if c, ok := pendingFor()["libc6:i386"]; ok {
		t.Errorf("libc6:i386 pending (%s) though i386 is not a dpkg architecture", c)
	}
	mustWrite(t, filepath.Join(root, "var/lib/dpkg/arch"), []byte("amd64\ni386\n"))
	if c := pendingFor()["libc6:i386"]; c != "2.36-9+deb12u9" {
		t.Errorf("libc6:i386 candidate %q, want 2.36-9+deb12u9", c)
	}
}
