package plugsign

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/ceplus/ceplus/shared/pluginapi"
)

const testLDFlags = "-s -w -X github.com/ceplus/ceplus/shared/version.Version=9.9.9-test"

// crossBuild builds the plugin command of pkg for goos/goarch into dir and returns its path.
func crossBuild(t *testing.T, dir, goos, goarch, name string) string {
	t.Helper()
	out := filepath.Join(dir, pluginapi.FileName(name, goos))
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags="+testLDFlags,
		"-o", out, "github.com/ceplus/ceplus/plugins/"+name+"/cmd/ceplus-plugin-"+name)
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s for %s/%s: %v\n%s", name, goos, goarch, err, msg)
	}
	return out
}

// otherPlatform is a GOOS/GOARCH this test cannot run binaries of.
func otherPlatform() (string, string) {
	if runtime.GOOS == "windows" {
		return "linux", "arm64"
	}
	return "windows", "amd64"
}

// TestSignCrossBuilt checks that cross-built plugins get the kind, version and OS they state
// themselves (nmap: discovery), and that -os leaves out the plugins of other systems.
func TestSignCrossBuilt(t *testing.T) {
	if testing.Short() {
		t.Skip("builds plugins for another platform; skipped in -short mode")
	}
	goos, goarch := otherPlatform()
	dir := t.TempDir()
	crossBuild(t, dir, goos, goarch, "nmap")
	crossBuild(t, dir, goos, goarch, "dpkg")
	priv, err := LoadOrCreateKey(filepath.Join(t.TempDir(), "k"), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	d := Describer{LDFlags: testLDFlags}
	defer func() {
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	}()
	ctx := context.Background()
	m, err := Sign(ctx, dir, priv, "", &d)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]pluginapi.Entry{}
	for _, e := range m.Plugins {
		got[e.Name] = e
	}
	if e := got["nmap"]; e.Kind != pluginapi.KindDiscovery || e.Version != "9.9.9-test" || !strings.Contains(strings.Join(e.OS, ","), goos) {
		t.Errorf("cross-built nmap signed as %+v, want kind discovery, version 9.9.9-test, OS with %s", e, goos)
	}
	if e := got["dpkg"]; e.Kind != pluginapi.KindPackages || strings.Join(e.OS, ",") != "linux" {
		t.Errorf("cross-built dpkg signed as %+v, want kind packages on linux", e)
	}
	m, err = Sign(ctx, dir, priv, goos, &d)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Plugins) != 1 || m.Plugins[0].Name != "nmap" {
		t.Errorf("signed for %s: %+v, want only nmap", goos, m.Plugins)
	}
	pub, err := pluginapi.ParsePublicKey(PublicKey(priv))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pluginapi.LoadManifest(dir, pub); err != nil {
		t.Errorf("written manifest does not verify: %v", err)
	}
}

// TestDescribeRefuses checks that a file that is no Go binary, and a plugin under another
// plugin's name, are refused with the file named.
func TestDescribeRefuses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a plugin; skipped in -short mode")
	}
	dir := t.TempDir()
	junk := filepath.Join(dir, "ceplus-plugin-junk")
	if err := os.WriteFile(junk, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	var d Describer
	defer d.Close()
	if _, err := d.Describe(context.Background(), junk); err == nil || !strings.Contains(err.Error(), "not a Go plugin binary") {
		t.Errorf("describe of a shell script: %v, want not a Go plugin binary", err)
	}
	p := crossBuild(t, dir, runtime.GOOS, runtime.GOARCH, "apk")
	renamed := filepath.Join(dir, pluginapi.FileName("rpm", runtime.GOOS))
	if err := os.Rename(p, renamed); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Describe(context.Background(), renamed); err == nil || !strings.Contains(err.Error(), `describes itself as "apk"`) {
		t.Errorf("describe of apk named rpm: %v, want describes itself as apk", err)
	}
}
