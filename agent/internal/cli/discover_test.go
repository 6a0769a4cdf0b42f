package cli

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/cmdline"
	"github.com/ceplus/ceplus/shared/discovery"
	"github.com/ceplus/ceplus/shared/discovery/exposure"
	"github.com/ceplus/ceplus/shared/pluginapi"
	"github.com/ceplus/ceplus/shared/vulndb"
)

// nmapPlugins builds ceplus-plugin-nmap into a fresh directory, signs it with a fresh key that
// the in-process agent trusts for the rest of the test, and returns the directory.
func nmapPlugins(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", dir+"/", "github.com/ceplus/ceplus/plugins/nmap/cmd/ceplus-plugin-nmap")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the nmap plugin: %v\n%s", err, out)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	file := pluginapi.FileName("nmap", runtime.GOOS)
	sum, err := pluginapi.HashFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	manifest, sig, err := pluginapi.Sign(pluginapi.Manifest{Schema: pluginapi.ManifestSchema, APIVersion: pluginapi.APIVersion,
		Plugins: []pluginapi.Entry{{File: file, SHA256: sum, Name: "nmap", Version: "test", Kind: pluginapi.KindDiscovery,
			OS: []string{runtime.GOOS}}}}, priv)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{pluginapi.ManifestFile: manifest, pluginapi.SignatureFile: sig} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	saved := pluginKey
	pluginKey = func() (ed25519.PublicKey, error) { return pub, nil }
	t.Cleanup(func() { pluginKey = saved })
	return dir
}

// runDiscoverCLI runs "ceplus-agent discover" with the signed nmap plugin of dir and args plus
// --allow 127.0.0.0/8, so that no test can scan anything but loopback.
func runDiscoverCLI(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	full := append([]string{prog, "discover", "--plugins", dir, "--allow", "127.0.0.0/8"}, args...)
	code = Run(ctx, full, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// oldNginx serves HTTP on 127.0.0.1 announcing nginx 1.18.0 and returns its port.
func oldNginx(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "nginx/1.18.0")
		fmt.Fprintln(w, "<html><title>Welcome to nginx!</title></html>")
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

func TestDiscoverCommand(t *testing.T) {
	if _, err := exec.LookPath("nmap"); err != nil {
		t.Skip("SKIPPING: nmap is not installed (apt-get install nmap); the discover command was not run")
	}
	port := oldNginx(t)
	dir := nmapPlugins(t)
	t.Run("json", func(t *testing.T) {
		code, stdout, stderr := runDiscoverCLI(t, dir, "--targets", "127.0.0.1", "--ports", port, "--json")
		if code != cmdline.ExitOK {
			t.Fatalf("exit %d, stderr:\n%s", code, stderr)
		}
		var res discovery.Result
		if err := json.Unmarshal([]byte(stdout), &res); err != nil {
			t.Fatalf("stdout is not a discovery result: %v\n%s", err, stdout)
		}
		if len(res.Hosts) != 1 || len(res.Hosts[0].Services) != 1 || res.Hosts[0].Services[0].Product != "nginx" {
			t.Errorf("hosts = %+v, want 127.0.0.1 with nginx", res.Hosts)
		}
		if res.Run.ServiceDetection != "light" {
			t.Errorf("service detection %q, want the default light", res.Run.ServiceDetection)
		}
		if !strings.Contains(stderr, "host(s) done") {
			t.Errorf("no progress on stderr:\n%s", stderr)
		}
	})
	t.Run("table", func(t *testing.T) {
		code, stdout, stderr := runDiscoverCLI(t, dir, "--targets", "127.0.0.1", "--ports", port)
		if code != cmdline.ExitOK {
			t.Fatalf("exit %d, stderr:\n%s", code, stderr)
		}
		for _, want := range []string{"HOST", "127.0.0.1", "nginx", "1.18.0", "cpe:/a:igor_sysoev:nginx:1.18.0",
			"exposure findings", "end of life only", "unsupported: nginx 1.18.0", "branch 1.18", "evidence: cpe:/a:igor_sysoev:nginx:1.18.0, probed/10"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("table lacks %q:\n%s", want, stdout)
			}
		}
	})
	t.Run("advisory snapshot", func(t *testing.T) {
		db := t.TempDir()
		m, err := vulndb.Import(t.Context(), db, []string{"testdata/discover-osv"}, time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), nil)
		if err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr := runDiscoverCLI(t, dir, "--targets", "127.0.0.1", "--ports", port, "--db", db)
		if code != cmdline.ExitOK {
			t.Fatalf("exit %d, stderr:\n%s", code, stderr)
		}
		for _, want := range []string{"snapshot " + m.Hash[:12], "unsupported: nginx 1.18.0", "unverified: nginx 1.18.0",
			"DEBIAN-TEST-0004", "Debian:12 nginx 1.18.0, fixed in 1.22.1-9+deb12u1", "leads"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("output lacks %q:\n%s", want, stdout)
			}
		}
		code, stdout, stderr = runDiscoverCLI(t, dir, "--targets", "127.0.0.1", "--ports", port, "--db", db, "--json")
		var out struct {
			Result   discovery.Result `json:"result"`
			Exposure exposure.Report  `json:"exposure"`
		}
		if err := json.Unmarshal([]byte(stdout), &out); code != cmdline.ExitOK || err != nil {
			t.Fatalf("exit %d, JSON %v\nstdout:\n%s\nstderr:\n%s", code, err, stdout, stderr)
		}
		if len(out.Result.Hosts) != 1 || out.Exposure.Snapshot != m.Hash || len(out.Exposure.Hosts) != 1 ||
			len(out.Exposure.Hosts[0].Findings) != 2 {
			t.Errorf("JSON result %d hosts, exposure %+v; want one host with two findings", len(out.Result.Hosts), out.Exposure)
		}
	})
}

func TestDiscoverCommandRejects(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{name: "no targets", args: nil, code: cmdline.ExitUsage, want: "--targets is required"},
		{name: "bad CIDR", args: []string{"--targets", "127.0.0.1/33"}, code: cmdline.ExitUsage, want: "invalid target"},
		{name: "bad address", args: []string{"--targets", "127.0.0.300"}, code: cmdline.ExitUsage, want: "invalid target"},
		{name: "outside the allow-list", args: []string{"--targets", "192.0.2.1"}, code: cmdline.ExitUsage, want: "outside the allowed prefixes"},
		{name: "bad service detection", args: []string{"--targets", "127.0.0.1", "--service-detection", "deep"}, code: cmdline.ExitUsage, want: "off, light, default or all"},
		{name: "ports and top ports", args: []string{"--targets", "127.0.0.1", "--ports", "22", "--top-ports", "10"}, code: cmdline.ExitUsage, want: "not both"},
		{name: "bad timing", args: []string{"--targets", "127.0.0.1", "--timing", "7"}, code: cmdline.ExitUsage, want: "0 to 5"},
		{name: "nmap missing", args: []string{"--targets", "127.0.0.1", "--nmap", "/nonexistent/nmap"}, code: cmdline.ExitError, want: "apt-get install nmap"},
		{name: "snapshot without db", args: []string{"--targets", "127.0.0.1", "--snapshot", "abc"}, code: cmdline.ExitUsage, want: "--snapshot needs --db"},
		{name: "db without snapshots", args: []string{"--targets", "127.0.0.1", "--db", "testdata/discover-osv"}, code: cmdline.ExitUsage, want: "holds no vulnerability snapshot"},
	}
	dir := nmapPlugins(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runDiscoverCLI(t, dir, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tt.code, tt.want)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
		})
	}
}

func TestDiscoverCommandUntrustedPlugin(t *testing.T) {
	dir := nmapPlugins(t)
	f, err := os.OpenFile(filepath.Join(dir, pluginapi.FileName("nmap", runtime.GOOS)), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte{0}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runDiscoverCLI(t, dir, "--targets", "127.0.0.1", "--ports", "1")
	if code != cmdline.ExitError || !strings.Contains(stderr, "does not match its signed checksum") || stdout != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 refusing the tampered plugin", code, stdout, stderr)
	}
}

func TestDiscoverCommandBadAllow(t *testing.T) {
	var out, errOut bytes.Buffer
	code := Run(context.Background(), []string{prog, "discover", "--targets", "127.0.0.1", "--allow", "127.0.0.0/99"},
		strings.NewReader(""), &out, &errOut)
	if code != cmdline.ExitUsage || !strings.Contains(errOut.String(), "--allow") {
		t.Errorf("exit %d stderr %q, want a usage error naming --allow", code, errOut.String())
	}
}
