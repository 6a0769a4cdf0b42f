package daemon

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/discovery"
	"github.com/ceplus/ceplus/shared/pluginapi"
	"github.com/ceplus/ceplus/shared/wire"
)

// TestDiscoveryRequest checks the agent's own checks of a job before the plugin sees it: no
// discovery without --discovery, no job without an allow-list, none reaching beyond the
// operator's bound; the allow-list and timeout are passed on.
func TestDiscoveryRequest(t *testing.T) {
	run := func(context.Context, pluginapi.DiscoveryRequest, func(discovery.Progress)) (discovery.Result, error) {
		return discovery.Result{}, nil
	}
	loop := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	job := func(allow ...string) *wire.DiscoveryJob {
		j := &wire.DiscoveryJob{Targets: []string{"127.0.0.1"}, Service: "light", Timeout: time.Minute}
		for _, a := range allow {
			j.AllowedPrefixes = append(j.AllowedPrefixes, netip.MustParsePrefix(a))
		}
		return j
	}
	tests := []struct {
		name    string
		cfg     Config
		job     *wire.DiscoveryJob
		wantErr string
	}{
		{"discovery not enabled", Config{}, job("127.0.0.0/29"), "ceplus-agent run --discovery"},
		{"no allow-list", Config{Discover: run}, job(), "without an allow-list"},
		{"no job", Config{Discover: run}, nil, "without an allow-list"},
		{"beyond the operator's bound", Config{Discover: run, DiscoveryAllow: loop}, job("127.0.0.0/29", "203.0.113.0/24"), "outside this agent's --discovery-allow"},
		{"wider than the operator's bound", Config{Discover: run, DiscoveryAllow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/24")}}, job("127.0.0.0/16"), "outside"},
		{"inside the bound", Config{Discover: run, DiscoveryAllow: loop}, job("127.0.0.0/29"), ""},
		{"no bound", Config{Discover: run}, job("127.0.0.0/29"), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := &Daemon{cfg: tc.cfg}
			req, err := d.discoveryRequest(tc.job)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(req.AllowedPrefixes) != 1 || req.AllowedPrefixes[0] != tc.job.AllowedPrefixes[0] || req.Timeout != time.Minute || req.AllowNames {
				t.Errorf("request = %+v, want the job's allow-list and timeout, names off", req)
			}
		})
	}
}
