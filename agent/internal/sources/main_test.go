package sources

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/pluginapi"
)

// testBin holds the test plugin and nmapBin the real nmap discovery plugin, built once per test
// binary by TestMain.
var testBin, nmapBin string

const (
	testPluginPkg = "github.com/ceplus/ceplus/shared/pluginapi/internal/testplugin"
	nmapPluginPkg = "github.com/ceplus/ceplus/plugins/nmap/cmd/ceplus-plugin-nmap"
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ceplus-sources-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		testBin, nmapBin = filepath.Join(dir, "testplugin"), filepath.Join(dir, "nmapplugin")
		for bin, pkg := range map[string]string{testBin: testPluginPkg, nmapBin: nmapPluginPkg} {
			cmd := exec.Command("go", "build", "-o", bin, pkg)
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				fmt.Fprintf(os.Stderr, "build %s: %v\n%s", pkg, err, out)
				return 1
			}
		}
		code := m.Run()
		if left := waitNoPlugins(3 * time.Second); len(left) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: plugin processes left running after the tests: %v\n", left)
			return 1
		}
		return code
	}()
	if err := os.RemoveAll(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

// pluginDir is a test plugin directory: the test plugin under each behaviour's name, signed
// with a fresh key.
type pluginDir struct {
	dir  string
	pub  ed25519.PublicKey
	priv ed25519.PrivateKey
	// kinds overrides the kind sign writes for a plugin name.
	kinds map[string]string
}

// kind is the kind the manifest gives name: the override, else what the plugin really is.
func (d *pluginDir) kind(name string) string {
	if k, ok := d.kinds[name]; ok {
		return k
	}
	if name == "nmap" || strings.HasPrefix(name, "test-discover") {
		return pluginapi.KindDiscovery
	}
	return pluginapi.KindPackages
}

func newPluginDir(t *testing.T, behaviours ...string) *pluginDir {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	d := &pluginDir{dir: t.TempDir(), pub: pub, priv: priv}
	for _, b := range behaviours {
		d.add(t, b)
	}
	d.sign(t)
	return d
}

func (d *pluginDir) path(name string) string {
	return filepath.Join(d.dir, pluginapi.FileName(name, runtime.GOOS))
}

// add copies the test plugin in under name (the nmap plugin for "nmap"), without signing it.
func (d *pluginDir) add(t *testing.T, name string) {
	t.Helper()
	bin := testBin
	if name == "nmap" {
		bin = nmapBin
	}
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(d.path(name), b, 0o755); err != nil {
		t.Fatal(err)
	}
}

// sign writes the manifest and signature of every plugin now in the directory.
func (d *pluginDir) sign(t *testing.T) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(d.dir, pluginapi.FilePrefix+"*"))
	if err != nil {
		t.Fatal(err)
	}
	m := pluginapi.Manifest{Schema: pluginapi.ManifestSchema, APIVersion: pluginapi.APIVersion}
	for _, f := range files {
		sum, err := pluginapi.HashFile(f)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(f)
		name := strings.TrimSuffix(strings.TrimPrefix(base, pluginapi.FilePrefix), ".exe")
		m.Plugins = append(m.Plugins, pluginapi.Entry{File: base, SHA256: sum, Name: name,
			Version: "0.0.1-test", Kind: d.kind(name), OS: []string{runtime.GOOS}})
	}
	manifest, sig, err := pluginapi.Sign(m, d.priv)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d.dir, pluginapi.ManifestFile), manifest, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d.dir, pluginapi.SignatureFile), sig, 0o644); err != nil {
		t.Fatal(err)
	}
}

func (d *pluginDir) loader(t *testing.T) *Loader {
	return &Loader{Dir: d.dir, PublicKey: d.pub, GOOS: runtime.GOOS, Timeout: 10 * time.Second,
		SocketRoot: filepath.Join(t.TempDir(), "sockets"), Log: testLog{t}}
}

type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Logf("plugin log: %s", strings.TrimSpace(string(b)))
	return len(b), nil
}

// waitNoPlugins waits up to d for every test plugin process (an executable named
// ceplus-plugin-test-*) to end and returns those still running. Linux only.
func waitNoPlugins(d time.Duration) []string {
	deadline := time.Now().Add(d)
	for {
		var left []string
		exes, _ := filepath.Glob("/proc/[0-9]*/exe") // the pattern is valid: Glob cannot fail
		for _, e := range exes {
			target, err := os.Readlink(e)
			if err == nil && strings.HasPrefix(filepath.Base(target), pluginapi.FilePrefix+"test-") {
				left = append(left, fmt.Sprintf("%s (pid %s)", target, filepath.Base(filepath.Dir(e))))
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(50 * time.Millisecond)
	}
}
