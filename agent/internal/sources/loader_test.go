package sources

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/pluginapi"
)

func statuses(inv *inventory.Inventory) map[string]inventory.Status {
	out := map[string]inventory.Status{}
	for _, s := range inv.Sources {
		out[s.Name] = s.Status
	}
	return out
}

func TestSignedPluginsLoad(t *testing.T) {
	d := newPluginDir(t, "test-ok", "test-na")
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	inv, _, err := d.loader(t).Inventory(t.Context(), pluginapi.Request{Root: "n=5"}, now)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]inventory.Status{"test-ok": inventory.Succeeded, "test-na": inventory.NotApplicable}
	if diff := cmp.Diff(want, statuses(inv)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if len(inv.Packages) != 5 || inv.Device.Build != "Debian 12" || !inv.CollectedAt.Equal(now) {
		t.Errorf("inventory: %d packages, build %q, collected %v", len(inv.Packages), inv.Device.Build, inv.CollectedAt)
	}
	if err := inv.Validate(); err != nil {
		t.Error(err)
	}
}

func TestUntrustedPluginsRefused(t *testing.T) {
	tests := []struct {
		name string
		// change spoils a signed directory holding test-ok and test-na.
		change func(t *testing.T, d *pluginDir, l *Loader)
		// wantErr is the error of the whole run, or nil when only one plugin is refused.
		wantErr error
		// wantFile is the file the error must name.
		wantFile string
		// wantRunErr is the error of the refused plugin's run.
		wantRunErr error
	}{
		{"tampered binary", func(t *testing.T, d *pluginDir, _ *Loader) {
			f, err := os.OpenFile(d.path("test-ok"), os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Write([]byte{0}); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		}, nil, "ceplus-plugin-test-ok", pluginapi.ErrTampered},
		{"unlisted binary", func(t *testing.T, d *pluginDir, _ *Loader) { d.add(t, "test-extra") },
			nil, "ceplus-plugin-test-extra", pluginapi.ErrUnlisted},
		{"manifest changed after signing", func(t *testing.T, d *pluginDir, _ *Loader) {
			p := filepath.Join(d.dir, pluginapi.ManifestFile)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(strings.Replace(string(b), `"test-na"`, `"test-xx"`, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
		}, pluginapi.ErrBadSignature, pluginapi.ManifestFile, nil},
		{"agent trusts another key", func(t *testing.T, _ *pluginDir, l *Loader) {
			l.PublicKey = newPluginDir(t).pub
		}, pluginapi.ErrWrongKey, pluginapi.ManifestFile, nil},
		{"re-signed with another key", func(t *testing.T, d *pluginDir, _ *Loader) {
			d.priv = newPluginDir(t).priv
			d.sign(t)
		}, pluginapi.ErrWrongKey, pluginapi.ManifestFile, nil},
		{"signature removed", func(t *testing.T, d *pluginDir, _ *Loader) {
			if err := os.Remove(filepath.Join(d.dir, pluginapi.SignatureFile)); err != nil {
				t.Fatal(err)
			}
		}, pluginapi.ErrNoManifest, pluginapi.SignatureFile, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newPluginDir(t, "test-ok", "test-na")
			l := d.loader(t)
			tt.change(t, d, l)
			runs, err := l.Collect(t.Context(), pluginapi.Request{Root: "/"})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantFile) {
					t.Fatalf("Collect = %v, want %v naming %s", err, tt.wantErr, tt.wantFile)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var refused, others int
			for _, r := range runs {
				switch {
				case r.File == tt.wantFile:
					refused++
					if !errors.Is(r.Err, tt.wantRunErr) || r.Result.Status.Status != inventory.Failed ||
						!strings.Contains(strings.Join(r.Result.Status.Errors, " "), tt.wantFile) {
						t.Errorf("run of %s: err %v, status %+v; want %v, failed, naming the file", r.File, r.Err, r.Result.Status, tt.wantRunErr)
					}
				case r.Err != nil:
					t.Errorf("run of %s failed too: %v", r.File, r.Err)
				default:
					others++
				}
			}
			if refused != 1 || others == 0 {
				t.Errorf("%d refused runs of %s and %d other good runs, want 1 and at least 1", refused, tt.wantFile, others)
			}
		})
	}
}

func TestWritableInstallRefused(t *testing.T) {
	d := newPluginDir(t, "test-ok")
	if err := os.Chmod(d.dir, 0o777); err != nil {
		t.Fatal(err)
	}
	_, err := d.loader(t).Collect(t.Context(), pluginapi.Request{Root: "/"})
	if err == nil || !strings.Contains(err.Error(), d.dir) || !strings.Contains(err.Error(), "writable") {
		t.Fatalf("Collect(world-writable plugin dir) = %v, want a refusal naming %s", err, d.dir)
	}
}

func TestFailuresAreContained(t *testing.T) {
	d := newPluginDir(t, "test-ok", "test-crash", "test-panic", "test-hang")
	l := d.loader(t)
	l.Timeout = time.Second
	l.Expected = []Builtin{{Name: "test-ok"}, {Name: "dpkg"}}
	start := time.Now()
	inv, runs, err := l.Inventory(t.Context(), pluginapi.Request{Root: "/"}, start)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("a hung plugin held the agent for %v with a 1s timeout", took)
	}
	want := map[string]inventory.Status{"test-ok": inventory.Succeeded, "test-crash": inventory.Failed,
		"test-panic": inventory.Failed, "test-hang": inventory.Failed, "dpkg": inventory.Failed}
	if diff := cmp.Diff(want, statuses(inv)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	wantMsg := map[string]string{"test-hang": "timed out after 1s", "test-panic": "panicked", "test-crash": "ceplus-plugin-test-crash",
		"dpkg": "no signed plugin ceplus-plugin-dpkg"}
	for _, r := range runs {
		if w, ok := wantMsg[r.Result.Status.Name]; ok && !strings.Contains(strings.Join(r.Result.Status.Errors, " "), w) {
			t.Errorf("%s errors %q, want them to mention %q", r.Result.Status.Name, r.Result.Status.Errors, w)
		}
	}
	if len(inv.Packages) != 3 {
		t.Errorf("%d packages from the good plugin, want 3", len(inv.Packages))
	}
	if left := waitNoPlugins(3 * time.Second); len(left) > 0 {
		t.Errorf("plugin processes left: %v", left)
	}
	if entries, err := os.ReadDir(l.SocketRoot); err != nil || len(entries) != 0 {
		t.Errorf("socket root after the run: %v entries, err %v; want empty", len(entries), err)
	}
}

func TestStaleSocketsSwept(t *testing.T) {
	d := newPluginDir(t, "test-ok")
	l := d.loader(t)
	stale := filepath.Join(l.SocketRoot, "run-2147483647-abc")
	live := filepath.Join(l.SocketRoot, "run-"+strconv.Itoa(os.Getpid())+"-live")
	for _, dir := range []string{stale, live} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "plugin123"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(l.SocketRoot, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Collect(t.Context(), pluginapi.Request{Root: "/"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale socket directory of a dead agent still there: %v", err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("socket directory of a live agent removed: %v", err)
	}
}

func TestSocketRootMustBePrivate(t *testing.T) {
	d := newPluginDir(t, "test-ok")
	l := d.loader(t)
	if err := os.MkdirAll(l.SocketRoot, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(l.SocketRoot, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Collect(t.Context(), pluginapi.Request{Root: "/"}); err == nil || !strings.Contains(err.Error(), l.SocketRoot) {
		t.Fatalf("Collect with a shared socket directory = %v, want a refusal naming it", err)
	}
}
