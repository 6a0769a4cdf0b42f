package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/pluginapi"
)

// e2eDir holds ceplus-agent (built with the test key), ceplus-plugin-dpkg and the signed
// manifest, as `make build` lays them out; e2eKey is the signing key. Built once by TestMain.
var e2eDir, e2eKey, e2eTools string

func TestMain(m *testing.M) {
	tmp, err := os.MkdirTemp("", "ceplus-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	err = buildE2E(tmp)
	code := 1
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
	} else {
		code = m.Run()
	}
	if err := os.RemoveAll(tmp); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

// buildE2E builds the binaries the way the Makefile does: plugins and signing tool, a key on
// first use, the signature, then the agent with the public key linked in.
func buildE2E(tmp string) error {
	e2eDir, e2eTools = filepath.Join(tmp, "bin"), filepath.Join(tmp, "tools")
	e2eKey = filepath.Join(tmp, "keys", "plugins.key")
	run := func(name string, args ...string) (string, error) {
		cmd := exec.Command(name, args...)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return "", fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
		}
		return strings.TrimSpace(string(out)), nil
	}
	if _, err := run("go", "build", "-o", e2eDir+"/", "github.com/ceplus/ceplus/plugins/dpkg/cmd/ceplus-plugin-dpkg"); err != nil {
		return err
	}
	if _, err := run("go", "build", "-o", e2eTools+"/", "github.com/ceplus/ceplus/deploy/tools/signplugins"); err != nil {
		return err
	}
	sign := filepath.Join(e2eTools, "signplugins")
	if _, err := run(sign, "-key", e2eKey, "-dir", e2eDir); err != nil {
		return err
	}
	pub, err := run(sign, "-key", e2eKey, "-print-pub")
	if err != nil {
		return err
	}
	_, err = run("go", "build", "-o", e2eDir+"/", "-ldflags", "-X github.com/ceplus/ceplus/agent/internal/sources.publicKey="+pub,
		"github.com/ceplus/ceplus/agent/cmd/ceplus-agent")
	return err
}

// agent runs the built ceplus-agent from dir and returns its exit code, stdout and stderr.
func agent(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), filepath.Join(dir, "ceplus-agent"), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		return exit.ExitCode(), stdout.String(), stderr.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, stdout.String(), stderr.String()
}

func sourceStatus(inv inventory.Inventory, name string) inventory.SourceStatus {
	for _, s := range inv.Sources {
		if s.Name == name {
			return s
		}
	}
	return inventory.SourceStatus{}
}

func TestInventoryJSON(t *testing.T) {
	code, out, stderr := agent(t, e2eDir, "inventory", "--json", "--root", "testdata/debian12")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &top); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"device", "packages", "pending_updates", "sources"} {
		if _, ok := top[k]; !ok {
			t.Errorf("JSON has no top-level %q", k)
		}
	}
	var inv inventory.Inventory
	if err := json.Unmarshal([]byte(out), &inv); err != nil {
		t.Fatal(err)
	}
	wantDevice := inventory.Device{Hostname: "testhost", OSFamily: "debian", OSName: "Debian GNU/Linux", OSVersion: "12",
		Arch: "amd64", Ecosystem: "Debian:12", Build: "Debian 12"}
	if diff := cmp.Diff(wantDevice, inv.Device); diff != "" {
		t.Errorf("device (-want +got):\n%s", diff)
	}
	wantPackages := []inventory.Package{
		{Name: "dpkg", Version: "1.21.22", SourceName: "dpkg", SourceVersion: "1.21.22", Ecosystem: "Debian:12", Arch: "amd64"},
		{Name: "libbrotli1", Version: "1.0.9-2+b6", SourceName: "brotli", SourceVersion: "1.0.9-2", Ecosystem: "Debian:12", Arch: "amd64"},
		{Name: "libcap2", Version: "1:2.66-4+deb12u1+b2", SourceName: "libcap2", SourceVersion: "1:2.66-4+deb12u1", Ecosystem: "Debian:12", Arch: "amd64"},
	}
	if diff := cmp.Diff(wantPackages, inv.Packages); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
	wantPending := []inventory.PendingUpdate{{Name: "libbrotli1", Installed: "1.0.9-2+b6", Candidate: "1.0.9-2+deb12u1",
		Origin: "Debian-Security:12/oldstable-security", Security: true, Arch: "amd64"}}
	if diff := cmp.Diff(wantPending, inv.PendingUpdates, cmpopts.IgnoreFields(inventory.PendingUpdate{}, "Origin")); diff != "" {
		t.Errorf("pending updates (-want +got):\n%s", diff)
	}
	if s := sourceStatus(inv, "dpkg"); s.Status != inventory.Succeeded {
		t.Errorf("dpkg source: %+v, want succeeded", s)
	}
	if runtime.GOOS == "linux" {
		// apk has no plugin in this directory: a built-in source that is missing is reported.
		if s := sourceStatus(inv, "apk"); s.Status != inventory.Failed || !strings.Contains(strings.Join(s.Errors, " "), "ceplus-plugin-apk") {
			t.Errorf("apk source: %+v, want failed naming ceplus-plugin-apk", s)
		}
	}
	if err := inv.Validate(); err != nil {
		t.Error(err)
	}
}

func TestInventoryHuman(t *testing.T) {
	code, out, stderr := agent(t, e2eDir, "inventory", "--root", "testdata/debian12", "--plugins", e2eDir)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"build            Debian 12", "packages         3", "pending updates  1 (1 security)",
		"libbrotli1", "1.0.9-2+deb12u1", "dpkg", "succeeded"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// copyDir copies the built agent directory so that a test can spoil the copy.
func copyDir(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(e2eDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(e2eDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func TestInventoryRefusesUntrustedPlugins(t *testing.T) {
	tests := []struct {
		name     string
		spoil    func(t *testing.T, dir string)
		wantCode int
		want     string // in stderr (exit 1) or in the dpkg source's errors (exit 0)
	}{
		{"tampered plugin", func(t *testing.T, dir string) {
			f, err := os.OpenFile(filepath.Join(dir, "ceplus-plugin-dpkg"), os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteString("x"); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		}, 0, "ceplus-plugin-dpkg: " + pluginapi.ErrTampered.Error()},
		{"signed with another key", func(t *testing.T, dir string) {
			out, err := exec.CommandContext(t.Context(), filepath.Join(e2eTools, "signplugins"),
				"-key", filepath.Join(t.TempDir(), "other.key"), "-dir", dir).CombinedOutput()
			if err != nil {
				t.Fatalf("re-sign: %v\n%s", err, out)
			}
		}, 1, "plugins.json: signed with key"},
		{"manifest edited", func(t *testing.T, dir string) {
			p := filepath.Join(dir, pluginapi.ManifestFile)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, bytes.Replace(b, []byte(`"dpkg"`), []byte(`"dpkh"`), 1), 0o644); err != nil {
				t.Fatal(err)
			}
		}, 1, "plugins.json: " + pluginapi.ErrBadSignature.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyDir(t)
			tt.spoil(t, dir)
			code, out, stderr := agent(t, dir, "inventory", "--json", "--root", "testdata/debian12")
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			if code != 0 {
				if !strings.Contains(stderr, tt.want) {
					t.Errorf("stderr lacks %q:\n%s", tt.want, stderr)
				}
				return
			}
			var inv inventory.Inventory
			if err := json.Unmarshal([]byte(out), &inv); err != nil {
				t.Fatal(err)
			}
			s := sourceStatus(inv, "dpkg")
			if s.Status != inventory.Failed || !strings.Contains(strings.Join(s.Errors, " "), tt.want) {
				t.Errorf("dpkg source %+v, want failed with %q", s, tt.want)
			}
			if len(inv.Packages) != 0 {
				t.Errorf("%d packages from a refused plugin", len(inv.Packages))
			}
		})
	}
}

func TestInventoryUsageAndKey(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"missing root", []string{"inventory", "--root", "testdata/nope"}, 2, "not a directory"},
		{"extra argument", []string{"inventory", "extra"}, 2, "unexpected argument"},
		// This test binary is linked without a key, like a bare `go build`.
		{"agent without a key", []string{"inventory", "--plugins", "testdata"}, 1, "built without a plugin signing key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Run(t.Context(), append([]string{"ceplus-agent"}, tt.args...), nil, &stdout, &stderr)
			if code != tt.wantCode || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("exit %d stderr %q, want %d and %q", code, stderr.String(), tt.wantCode, tt.want)
			}
		})
	}
}
