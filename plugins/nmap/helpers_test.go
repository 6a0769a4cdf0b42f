package nmap

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ceplus/ceplus/shared/discovery"
)

// loopback is the allow-list every real scan in these tests runs under (the safety rule of
// DESIGN.md: tests scan only loopback or namespaces they made).
var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// requireNmap skips, loudly, when nmap is not installed.
func requireNmap(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("nmap")
	if err != nil {
		t.Skip("SKIPPING: nmap is not installed (apt-get install nmap); the real-nmap tests did not run")
	}
	return p
}

// safeDiscover runs Discover after checking that the options can only reach loopback: an
// allow-list inside 127.0.0.0/8 or ::1, and no names.
func safeDiscover(t testing.TB, ctx context.Context, o Options, progress func(Progress)) (discovery.Result, error) {
	t.Helper()
	if len(o.AllowedPrefixes) == 0 || o.AllowNames {
		t.Fatalf("unsafe test options: allow-list %v, names %v: tests scan loopback only", o.AllowedPrefixes, o.AllowNames)
	}
	for _, p := range o.AllowedPrefixes {
		if !p.Addr().IsLoopback() || (p.Addr().Is4() && p.Bits() < 8) {
			t.Fatalf("unsafe test allow-list entry %v: tests scan loopback only", p)
		}
	}
	r, err := Discover(ctx, o, progress)
	return r, err
}

// listener is a TCP server a test starts on a loopback address.
type listener struct {
	addr netip.AddrPort
	stop func()
}

// listen starts a TCP listener on host:0 serving each connection with serve.
func listen(t testing.TB, host string, serve func(net.Conn)) listener {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatalf("listen on %s: %v", host, err)
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				serve(c)
			}()
		}
	}()
	stop := func() {
		select {
		case <-done:
			return
		default:
			close(done)
		}
		ln.Close()
		wg.Wait()
	}
	t.Cleanup(stop)
	return listener{addr: netip.MustParseAddrPort(ln.Addr().String()), stop: stop}
}

// sshBanner serves an OpenSSH-like banner and waits for the client to hang up.
func sshBanner(banner string) func(net.Conn) {
	return func(c net.Conn) {
		fmt.Fprintf(c, "%s\r\n", banner)
		_, _ = bufio.NewReader(c).ReadString('\n')
	}
}

// silent accepts and says nothing until the client hangs up: a service nmap cannot recognise.
func silent(c net.Conn) {
	buf := make([]byte, 512)
	for {
		if _, err := c.Read(buf); err != nil {
			return
		}
	}
}

// httpServer starts an HTTP server on host announcing server in its Server header (nmap 7.93 does
// not fingerprint a plain Go net/http server).
func httpServer(t testing.TB, host, server string) netip.AddrPort {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatalf("listen on %s: %v", host, err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", server)
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintln(w, "<html><head><title>Welcome to nginx!</title></head><body>ok</body></html>")
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return netip.MustParseAddrPort(ln.Addr().String())
}

// fakeNmap writes an executable script standing in for nmap that records each run in a marker
// file and then runs body; it returns the script's path and the marker's.
func fakeNmap(t testing.TB, body string) (path, marker string) {
	t.Helper()
	dir := t.TempDir()
	marker = filepath.Join(dir, "ran")
	path = filepath.Join(dir, "nmap")
	script := "#!/bin/sh\nprintf '%s ' \"$@\" >> " + marker + "\necho >> " + marker + "\n" + body + "\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path, marker
}

// ports joins listener ports for Options.Ports.
func ports(aps ...netip.AddrPort) string {
	s := make([]string, len(aps))
	for i, ap := range aps {
		s[i] = fmt.Sprint(ap.Port())
	}
	return strings.Join(s, ",")
}
