package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/api"
	"github.com/ceplus/ceplus/collector/internal/assess"
	"github.com/ceplus/ceplus/shared/discovery"
	"github.com/ceplus/ceplus/shared/discovery/exposure"
	"github.com/ceplus/ceplus/shared/vulndb"
)

// loopbackAllow is the only allow-list these tests give a scanner: every target is loopback.
const loopbackAllow = "127.0.0.0/29"

// TestDiscoveryScannerAgent runs network discovery end to end on loopback: a real collector, a
// real agent (built with a test key, running the signed nmap plugin it built) marked as a
// scanner with a loopback allow-list, and listeners the test starts on 127.0.0.1 (an HTTP server
// announcing nginx 1.18.0, a Debian OpenSSH banner). A job outside the allow-list is refused
// before it is sent; the result arrives in chunks with progress and is stored; reconciliation
// finds the two hosts in no scope entry and the device not seen; one host joins the frozen
// scope (frozen again), the other is excluded with a reason; exposure findings keep the
// unverified lead apart; the hash chain verifies.
func TestDiscoveryScannerAgent(t *testing.T) {
	if _, err := exec.LookPath("nmap"); err != nil {
		t.Skip("SKIPPING: nmap is not installed (apt-get install nmap); the scanner agent test did not run")
	}
	keyed := buildSignedNmapAgent(t)
	ssh, web := loopbackServices(t)

	c := newCollector(t)
	osv, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "discovery", "exposure", "testdata", "osv"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vulndb.Import(context.Background(), filepath.Join(c.data, "vulndb"), []string{osv}, time.Now(), nil); err != nil {
		t.Fatalf("import the hand-written OSV records: %v", err)
	}
	token := c.token("--role", "assessor")
	cli := func(want int, args ...string) (string, string) {
		t.Helper()
		full := append(append([]string{"ceplus-collector", "assessment"}, args...), "--api", "http://"+c.api, "--token", token)
		o, e, code := run(t, full...)
		if code != want {
			t.Fatalf("%v exited %d, want %d:\n%s%s", args, code, want, o, e)
		}
		return o, e
	}
	const id = "asm-disc"
	cli(0, "create", "--id", id, "--org", "Example Ltd", "--snapshot", "latest")
	scope := filepath.Join(t.TempDir(), "scope.csv")
	if err := os.WriteFile(scope, []byte("id,type,build,hostname,addresses\nsrv-1,server,Debian 12,srv-1,127.0.0.1\nprinter-9,network,Printer OS 4,printer-9,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cli(0, "scope", "import", id, scope)
	cli(0, "freeze", id)

	a := c.enrol("scanner-1")
	a.p = startBinary(t, "scanner agent", filepath.Join(keyed, "ceplus-agent"), "run", "--state", a.state, "--inventory-file", a.invFile,
		"--backoff-max", "2s", "--discovery", "--plugins", keyed)
	waitFor(t, "the scanner agent to connect", 30*time.Second, func() bool { return c.row(a.id).LastSeen != nil })
	cli(0, "scanner", "add", id, a.id[:16], "--allow", loopbackAllow)

	// Outside the allow-list: refused by the collector, nothing recorded, nothing sent.
	for _, target := range []string{"127.0.1.1", "127.0.0.0/24", "192.0.2.1"} {
		_, e := cli(2, "discovery", "run", id, "--targets", target, "--ports", "80")
		if !strings.Contains(e, "target_not_allowed") {
			t.Errorf("run with target %s: stderr %q, want target_not_allowed", target, e)
		}
	}
	client := &api.Client{Base: "http://" + c.api, Token: token}
	if kinds := eventKinds(t, client, id); slices.Contains(kinds, assess.KindDiscoveryStarted) {
		t.Fatalf("a refused job was recorded: %v", kinds)
	}
	if strings.Contains(a.p.Output(), "collector asked for a discovery") {
		t.Fatalf("a refused job reached the agent:\n%s", a.p.Output())
	}

	out, progress := cli(0, "discovery", "run", id, "--targets", "127.0.0.1,127.0.0.2,127.0.0.3", "--ports", fmt.Sprintf("%d,%d", ssh, web),
		"--timeout", "3m", "--json")
	var runv assess.RunDetail
	if err := json.Unmarshal([]byte(out), &runv); err != nil {
		t.Fatalf("discovery run --json printed %q: %v", out, err)
	}
	if runv.State != assess.RunRecorded || runv.Result == nil || runv.Summary.HostsUp != 3 {
		t.Fatalf("run = %+v, want recorded with 3 hosts up", runv.RunView)
	}
	if !slices.Contains(runv.Result.Run.Args, "-n") {
		t.Errorf("nmap ran without -n: %v", runv.Result.Run.Args)
	}
	if !strings.Contains(progress, "host(s) done") {
		t.Errorf("no progress on stderr:\n%s", progress)
	}
	if got := services(runv.Result, "127.0.0.1"); !strings.Contains(got, "nginx 1.18.0") || !strings.Contains(got, "OpenSSH 9.2p1 Debian 2+deb12u3") {
		t.Errorf("services of 127.0.0.1 = %q, want nginx 1.18.0 and the Debian OpenSSH banner", got)
	}

	out, _ = cli(0, "discovery", "reconcile", id, "--json")
	var rec assess.ReconcileView
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatal(err)
	}
	if got := hostList(rec.Report.Unknown); got != "127.0.0.2 127.0.0.3" {
		t.Errorf("hosts in no scope entry = %q, want 127.0.0.2 127.0.0.3", got)
	}
	if len(rec.Report.NotSeen) != 1 || rec.Report.NotSeen[0].ID != "printer-9" || len(rec.Report.Matches) != 1 || rec.Report.Matches[0].DeviceID != "srv-1" {
		t.Errorf("reconcile = %+v, want srv-1 matched and printer-9 not seen", rec.Report)
	}
	human, _ := cli(0, "discovery", "reconcile", id, runv.Run)
	t.Logf("discovery reconcile:\n%s", human)
	for _, want := range []string{"IN NO SCOPE ENTRY: 127.0.0.2", "NOT SEEN: scope device printer-9", "Printer OS 4"} {
		if !strings.Contains(human, want) {
			t.Errorf("reconcile printed:\n%s\nwant %q", human, want)
		}
	}

	added, _ := cli(0, "discovery", "add", id, runv.Run, "127.0.0.2", "--type", "server", "--build", "Debian 12")
	if !strings.Contains(added, "added host-127-0-0-2") || !strings.Contains(added, "frozen again") {
		t.Errorf("add printed %q", added)
	}
	cli(0, "discovery", "exclude", id, runv.Run, "127.0.0.3", "--reason", "test lab, segregated")
	_, e := cli(2, "discovery", "exclude", id, runv.Run, "127.0.0.1", "--reason", "x")
	if !strings.Contains(e, "host_in_scope") {
		t.Errorf("excluding a scope device: %q, want host_in_scope", e)
	}
	kinds := eventKinds(t, client, id)
	if n := len(kinds); n < 4 || !slices.Equal(kinds[n-3:], []string{assess.KindScopeAdded, assess.KindFrozen, assess.KindHostExcluded}) {
		t.Errorf("last events = %v, want scope_added, scope_frozen, host_excluded", kinds)
	}
	out, _ = cli(0, "discovery", "reconcile", id, runv.Run, "--json")
	rec = assess.ReconcileView{}
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.Report.Unknown) != 0 || len(rec.Excluded) != 1 || len(rec.Report.Matches) != 2 {
		t.Errorf("reconcile after add and exclude = %+v, excluded %+v", rec.Report, rec.Excluded)
	}

	out, _ = cli(0, "discovery", "exposure", id, "--json")
	var ex assess.ExposureView
	if err := json.Unmarshal([]byte(out), &ex); err != nil {
		t.Fatal(err)
	}
	if ex.Counts[exposure.ClassVulnerable] != 1 || ex.Counts[exposure.ClassUnsupported] != 1 || ex.Counts[exposure.ClassUnverified] != 1 ||
		len(ex.Hosts) != 1 || ex.Hosts[0].Device != "srv-1" || len(ex.Hosts[0].Vulnerable) != 1 || len(ex.Hosts[0].Unverified) != 1 {
		t.Errorf("exposure = %+v, want openssh vulnerable, nginx unsupported and an unverified nginx lead on srv-1", ex)
	}
	human, _ = cli(0, "discovery", "exposure", id)
	t.Logf("discovery exposure:\n%s", human)
	if o, _ := cli(0, "discovery", "show", id); !strings.Contains(o, "nginx") {
		t.Errorf("discovery show printed:\n%s", o)
	} else {
		t.Logf("discovery show:\n%s", o)
	}
	if o, _ := cli(0, "discovery", "list", id); !strings.Contains(o, "out of scope: 127.0.0.3") {
		t.Errorf("discovery list printed:\n%s", o)
	} else {
		t.Logf("discovery list:\n%s", o)
	}
	if i, j := strings.Index(human, "VULNERABLE"), strings.Index(human, "unverified leads (not confirmed"); i < 0 || j < i {
		t.Errorf("exposure printed:\n%s\nwant the confirmed findings first and the unverified leads apart", human)
	}
	if o, _ := cli(0, "verify", id); !strings.Contains(o, "ok") {
		t.Errorf("verify printed %q", o)
	}
}

// buildSignedNmapAgent builds ceplus-plugin-nmap and the signing tool, signs the plugin with a
// fresh key, and builds ceplus-agent with that key linked in, as `make build` does.
func buildSignedNmapAgent(t *testing.T) string {
	t.Helper()
	dir, tools := t.TempDir(), t.TempDir()
	key := filepath.Join(t.TempDir(), "keys", "plugins.key")
	sh := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		b, err := cmd.Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Fatalf("%s %v: %v\n%s", name, args, err, stderr)
		}
		return strings.TrimSpace(string(b))
	}
	sh("go", "build", "-o", dir+"/", "github.com/ceplus/ceplus/plugins/nmap/cmd/ceplus-plugin-nmap")
	sh("go", "build", "-o", tools+"/", "github.com/ceplus/ceplus/deploy/tools/signplugins")
	sign := filepath.Join(tools, "signplugins")
	sh(sign, "-key", key, "-dir", dir)
	pub := sh(sign, "-key", key, "-print-pub")
	sh("go", "build", "-o", dir+"/", "-ldflags", "-X github.com/ceplus/ceplus/agent/internal/sources.publicKey="+pub, "github.com/ceplus/ceplus/agent/cmd/ceplus-agent")
	return dir
}

// loopbackServices starts a Debian OpenSSH banner and an HTTP server announcing nginx 1.18.0
// on 127.0.0.1 and returns their ports.
func loopbackServices(t *testing.T) (ssh, web int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = io.WriteString(c, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n") // the scanner may hang up first
			_ = c.Close()
		}
	}()
	t.Cleanup(func() { _ = ln.Close() })
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Server", "nginx/1.18.0")
		fmt.Fprintln(w, "<html><title>Welcome to nginx!</title></html>")
	})}
	go func() { _ = srv.Serve(hl) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port, hl.Addr().(*net.TCPAddr).Port
}

// startBinary is start for a binary outside the shared build directory.
func startBinary(t *testing.T, name, path string, args ...string) *proc {
	t.Helper()
	rel, err := filepath.Rel(bin, path)
	if err != nil {
		t.Fatal(err)
	}
	return start(t, name, append([]string{rel}, args...)...)
}

func eventKinds(t *testing.T, c *api.Client, id string) []string {
	t.Helper()
	var evs []api.EventView
	if err := c.JSON(context.Background(), "GET", "/api/v1/assessments/"+id+"/events", nil, &evs); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, e.Kind)
	}
	return kinds
}

func services(res *discovery.Result, addr string) string {
	var out []string
	for _, h := range res.Hosts {
		if len(h.Addresses) > 0 && h.Addresses[0] == netip.MustParseAddr(addr) {
			for _, s := range h.Services {
				out = append(out, s.Product+" "+s.Version)
			}
		}
	}
	return strings.Join(out, "; ")
}

func hostList(hs []discovery.Host) string {
	var out []string
	for _, h := range hs {
		out = append(out, h.Addresses[0].String())
	}
	return strings.Join(out, " ")
}
