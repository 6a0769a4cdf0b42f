package nmap

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/discovery"
)

// TestDiscoverCancelKeepsCompletedHosts cuts a scan after its first host: 127.0.0.1 (an SSH
// banner, recognised at once) completes, 127.0.0.2 (a silent service nmap probes for about
// 90 s) does not. The context ends when progress reports the first completed host, so the
// test does not depend on timing.
func TestDiscoverCancelKeepsCompletedHosts(t *testing.T) {
	requireNmap(t)
	ssh := listen(t, "127.0.0.1", sshBanner("SSH-2.0-OpenSSH_7.4"))
	slow := listen(t, "127.0.0.2", silent)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	started := time.Now()
	res, err := safeDiscover(t, ctx, Options{
		Targets:         []string{"127.0.0.1", "127.0.0.2"},
		Ports:           ports(ssh.addr, slow.addr),
		Service:         ServiceDefault,
		HostGroup:       1,
		AllowedPrefixes: loopback,
	}, func(p Progress) {
		if p.HostsDone >= 1 {
			cancel()
		}
	})
	if err != nil {
		t.Fatalf("Discover: %v, want a partial result and no error", err)
	}
	if res.Run.Outcome != discovery.Partial {
		t.Fatalf("outcome = %s, want partial (run %+v)", res.Run.Outcome, res.Run)
	}
	if len(res.Hosts) != 1 || !slices.Contains(res.Hosts[0].Addresses, netip.MustParseAddr("127.0.0.1")) {
		t.Fatalf("hosts = %+v, want only 127.0.0.1", res.Hosts)
	}
	s := findService(t, res.Hosts[0], ssh.addr.Port())
	if s.Product != "OpenSSH" || s.Version != "7.4" {
		t.Errorf("service = %+v, want OpenSSH 7.4 kept from the stream", s)
	}
	if len(res.Run.Errors) == 0 || !strings.Contains(res.Run.Errors[0], "missing, not down") {
		t.Errorf("errors = %v, want the early stop explained", res.Run.Errors)
	}
	if res.Run.HostsUp != 1 || res.Run.HostsTotal != 1 {
		t.Errorf("counts up=%d total=%d, want 1 and 1 (completed hosts only)", res.Run.HostsUp, res.Run.HostsTotal)
	}
	// Not a timing assertion: a scan that ran to the end would have taken the silent port's
	// full probe time, far beyond this.
	if took := time.Since(started); took > 60*time.Second {
		t.Errorf("Discover took %v after the cancel: nmap was not killed", took)
	}
}

// TestDiscoverCancelledBeforeAnyHost fails with the context's error and no hosts.
func TestDiscoverCancelledBeforeAnyHost(t *testing.T) {
	requireNmap(t)
	slow := listen(t, "127.0.0.1", silent)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := safeDiscover(t, ctx, Options{
		Targets: []string{"127.0.0.1"}, Ports: ports(slow.addr), Service: ServiceDefault, AllowedPrefixes: loopback,
	}, func(p Progress) {
		if p.Task != "" {
			cancel() // the first task report: nothing is complete yet
		}
	})
	if err == nil || res.Run.Outcome != discovery.Failed || len(res.Hosts) != 0 {
		t.Fatalf("err = %v, outcome %s, hosts %d: want failed with no hosts", err, res.Run.Outcome, len(res.Hosts))
	}
}
