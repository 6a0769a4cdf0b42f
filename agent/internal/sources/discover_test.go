package sources

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/discovery"
	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/pluginapi"
)

func TestDiscoverThroughSignedPlugin(t *testing.T) {
	d := newPluginDir(t, "test-ok", "test-discover")
	var events []discovery.Progress
	res, err := d.loader(t).Discover(t.Context(), "test-discover",
		pluginapi.DiscoveryRequest{Targets: []string{"127.0.0.1", "127.0.0.2"}}, func(p discovery.Progress) { events = append(events, p) })
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hosts) != 2 || res.Run.Outcome != discovery.Succeeded || len(events) == 0 {
		t.Errorf("%d hosts, outcome %q, %d progress events; want 2, succeeded, some", len(res.Hosts), res.Run.Outcome, len(events))
	}
}

func TestInventoryNeverStartsDiscovery(t *testing.T) {
	d := newPluginDir(t, "test-ok", "test-discover", "test-discover-hang")
	inv, runs, err := d.loader(t).Inventory(t.Context(), pluginapi.Request{Root: "/"}, time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(inv); len(got) != 1 || got["test-ok"] != inventory.Succeeded {
		t.Errorf("inventory ran %v, want only the package source test-ok", got)
	}
	if len(runs) != 1 {
		t.Errorf("%d runs, want 1", len(runs))
	}
}

func TestDiscoverRefusals(t *testing.T) {
	tests := []struct {
		name    string
		plugins []string
		kinds   map[string]string
		source  string
		change  func(t *testing.T, d *pluginDir)
		wantErr error
		want    string
	}{
		{name: "unlisted", plugins: []string{"test-ok"}, source: "nmap", want: "has no signed plugin ceplus-plugin-nmap"},
		{name: "packages", plugins: []string{"test-ok"}, source: "test-ok", want: "not a discovery source"},
		{name: "kind differs", plugins: []string{"test-ok"}, kinds: map[string]string{"test-ok": pluginapi.KindDiscovery},
			source: "test-ok", want: `says it is "test-ok" (packages)`},
		{name: "tampered", plugins: []string{"test-discover"}, source: "test-discover", wantErr: pluginapi.ErrTampered,
			change: func(t *testing.T, d *pluginDir) { appendByte(t, d.path("test-discover")) }, want: "ceplus-plugin-test-discover"},
		{name: "refused", plugins: []string{"test-discover"}, source: "test-discover", wantErr: pluginapi.ErrInvalidRequest,
			want: `"refuse"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newPluginDir(t)
			d.kinds = tt.kinds
			for _, p := range tt.plugins {
				d.add(t, p)
			}
			d.sign(t)
			if tt.change != nil {
				tt.change(t, d)
			}
			res, err := d.loader(t).Discover(t.Context(), tt.source, pluginapi.DiscoveryRequest{Targets: []string{"127.0.0.1", "refuse"}}, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("Discover = %v, want an error (%v) containing %s", err, tt.wantErr, tt.want)
			}
			if res.Run.Outcome != discovery.Failed || len(res.Run.Errors) == 0 {
				t.Errorf("run %+v, want failed with the error", res.Run)
			}
		})
	}
}

func TestDiscoverHangIsStopped(t *testing.T) {
	d := newPluginDir(t, "test-discover-hang")
	l := d.loader(t)
	l.Grace = 200 * time.Millisecond
	res, err := l.Discover(t.Context(), "test-discover-hang", pluginapi.DiscoveryRequest{Targets: []string{"127.0.0.1"}, Timeout: 100 * time.Millisecond}, nil)
	if err == nil || !strings.Contains(err.Error(), "gave no result within 300ms") {
		t.Fatalf("Discover on a hanging plugin = %v, want it stopped after its timeout plus the grace", err)
	}
	if res.Run.Outcome != discovery.Failed {
		t.Errorf("outcome %q, want failed", res.Run.Outcome)
	}
	if left := waitNoPlugins(3 * time.Second); len(left) > 0 {
		t.Errorf("plugin processes left: %v", left)
	}
	if entries, err := os.ReadDir(l.SocketRoot); err != nil || len(entries) != 0 {
		t.Errorf("socket root after the run: %d entries, err %v; want empty", len(entries), err)
	}
}

func appendByte(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte{0}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// loopbackOnly is the allow-list of every test that runs the real nmap: loopback, nothing else.
var loopbackOnly = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

// safeRequest fails the test unless req can scan loopback only: the allow-list is loopback,
// names are off and every target is a loopback address.
func safeRequest(t *testing.T, req pluginapi.DiscoveryRequest) pluginapi.DiscoveryRequest {
	t.Helper()
	if len(req.AllowedPrefixes) == 0 || req.AllowNames {
		t.Fatalf("unsafe test request: allow-list %v, names %v: tests scan loopback only", req.AllowedPrefixes, req.AllowNames)
	}
	for _, p := range req.AllowedPrefixes {
		if !p.Addr().IsLoopback() || p.Addr().Is4() && p.Bits() < 8 {
			t.Fatalf("unsafe test allow-list entry %v: tests scan loopback only", p)
		}
	}
	for _, tg := range req.Targets {
		if a, err := netip.ParseAddr(tg); err != nil || !a.IsLoopback() {
			t.Fatalf("unsafe test target %q: tests scan loopback addresses only", tg)
		}
	}
	return req
}

func requireNmap(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("nmap"); err != nil {
		t.Skip("SKIPPING: nmap is not installed (apt-get install nmap); the nmap discovery plugin was not run")
	}
}

// serveLoopback starts an SSH-like banner and an HTTP server announcing nginx 1.18.0 on
// 127.0.0.1 and returns their ports.
func serveLoopback(t *testing.T) (ssh, http uint16) {
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
			_, _ = io.WriteString(c, "SSH-2.0-OpenSSH_7.4\r\n") // the scanner may hang up first
			_ = c.Close()
		}
	}()
	t.Cleanup(func() { _ = ln.Close() })
	return uint16(ln.Addr().(*net.TCPAddr).Port), serveNginx(t)
}

func serveNginx(t *testing.T) uint16 {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Server", "nginx/1.18.0")
		fmt.Fprintln(w, "<html><title>Welcome to nginx!</title></html>")
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return uint16(ln.Addr().(*net.TCPAddr).Port)
}

func TestNmapPluginDiscoversLoopback(t *testing.T) {
	requireNmap(t)
	ssh, web := serveLoopback(t)
	d := newPluginDir(t, "nmap", "test-ok")
	req := safeRequest(t, pluginapi.DiscoveryRequest{Targets: []string{"127.0.0.1"}, Ports: fmt.Sprintf("%d,%d", ssh, web),
		Service: "light", Timeout: 2 * time.Minute, AllowedPrefixes: loopbackOnly})
	var events []discovery.Progress
	res, err := d.loader(t).Discover(t.Context(), "nmap", req, func(p discovery.Progress) { events = append(events, p) })
	if err != nil {
		t.Fatal(err)
	}
	if res.Run.Outcome != discovery.Succeeded || len(res.Hosts) != 1 || !strings.HasPrefix(res.Run.Scanner, "nmap") {
		t.Fatalf("run %+v hosts %+v", res.Run, res.Hosts)
	}
	if !containsArg(res.Run.Args, "-n") {
		t.Errorf("nmap ran without -n: %v", res.Run.Args)
	}
	products := map[uint16]string{}
	for _, s := range res.Hosts[0].Services {
		products[s.Port] = s.Product + " " + s.Version
	}
	if products[ssh] != "OpenSSH 7.4" || products[web] != "nginx 1.18.0" {
		t.Errorf("services %v, want OpenSSH 7.4 on %d and nginx 1.18.0 on %d", products, ssh, web)
	}
	hostsDone := false
	for _, p := range events {
		hostsDone = hostsDone || p.HostsDone == 1
	}
	if len(events) == 0 || !hostsDone {
		t.Errorf("progress events %+v, want some, one of them with the host done", events)
	}
}

func TestNmapPluginTampered(t *testing.T) {
	d := newPluginDir(t, "nmap")
	appendByte(t, d.path("nmap"))
	req := safeRequest(t, pluginapi.DiscoveryRequest{Targets: []string{"127.0.0.1"}, Ports: "1", AllowedPrefixes: loopbackOnly})
	_, err := d.loader(t).Discover(t.Context(), "nmap", req, nil)
	if !errors.Is(err, pluginapi.ErrTampered) || !strings.Contains(err.Error(), "ceplus-plugin-nmap") {
		t.Fatalf("Discover with a tampered nmap plugin = %v, want ErrTampered naming ceplus-plugin-nmap", err)
	}
}

// TestNmapPluginTimeout gives the nmap plugin a stand-in scanner that never answers: the plugin
// must stop it at the request's timeout and report, well before the agent's own cut.
func TestNmapPluginTimeout(t *testing.T) {
	stub := filepath.Join(t.TempDir(), "nmap")
	if err := os.WriteFile(stub, []byte("#!/bin/sh\nexec sleep 600\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	d := newPluginDir(t, "nmap")
	l := d.loader(t)
	l.Grace = time.Minute
	req := safeRequest(t, pluginapi.DiscoveryRequest{Targets: []string{"127.0.0.1"}, Ports: "1", AllowedPrefixes: loopbackOnly,
		Timeout: 500 * time.Millisecond, ScannerPath: stub})
	res, err := l.Discover(t.Context(), "nmap", req, nil)
	if err == nil || !strings.Contains(err.Error(), "scan stopped early") || strings.Contains(err.Error(), "gave no result") {
		t.Fatalf("Discover with a silent scanner = %v, want the plugin's own timeout report", err)
	}
	if res.Run.Outcome != discovery.Failed || res.Run.Source != "nmap" || len(res.Run.Args) == 0 {
		t.Errorf("run %+v, want the plugin's failed summary with the command line", res.Run)
	}
}

func containsArg(args []string, a string) bool {
	for _, x := range args {
		if x == a {
			return true
		}
	}
	return false
}
