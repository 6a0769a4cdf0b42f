package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/cmdline"
	"github.com/ceplus/ceplus/shared/discovery"
)

// runDiscoverCLI runs "ceplus-agent discover" with args plus --allow 127.0.0.0/8, so that no test
// can scan anything but loopback.
func runDiscoverCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	full := append([]string{prog, "discover", "--allow", "127.0.0.0/8"}, args...)
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
	t.Run("json", func(t *testing.T) {
		code, stdout, stderr := runDiscoverCLI(t, "--targets", "127.0.0.1", "--ports", port, "--json")
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
		code, stdout, stderr := runDiscoverCLI(t, "--targets", "127.0.0.1", "--ports", port)
		if code != cmdline.ExitOK {
			t.Fatalf("exit %d, stderr:\n%s", code, stderr)
		}
		for _, want := range []string{"HOST", "127.0.0.1", "nginx", "1.18.0", "cpe:/a:igor_sysoev:nginx:1.18.0", "end of life:", "branch 1.18"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("table lacks %q:\n%s", want, stdout)
			}
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runDiscoverCLI(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tt.code, tt.want)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
		})
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
