package nmap

import (
	"errors"
	"net/netip"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/discovery"
	"github.com/ceplus/ceplus/shared/pluginapi"
)

func TestSourceInfo(t *testing.T) {
	info := Source{}.Info()
	if info.Kind != pluginapi.KindDiscovery || info.Name != Name || !regexp.MustCompile(`^[a-z0-9-]+$`).MatchString(info.Name) {
		t.Errorf("Info = %+v, want a discovery source named %q", info, Name)
	}
	if !info.RunningSystem || info.Root {
		t.Errorf("Info = %+v: nmap runs on the live system and works, degraded, without root", info)
	}
}

func TestSourceRefusesBeforeNmapStarts(t *testing.T) {
	tests := []struct {
		name string
		req  pluginapi.DiscoveryRequest
		want error
	}{
		{"bad CIDR", pluginapi.DiscoveryRequest{Targets: []string{"127.0.0.1/33"}}, ErrInvalidTarget},
		{"outside the allow-list", pluginapi.DiscoveryRequest{Targets: []string{"192.0.2.1"},
			AllowedPrefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, ErrNotAllowed},
		{"bad service level", pluginapi.DiscoveryRequest{Targets: []string{"127.0.0.1"}, Service: "deep"}, ErrInvalidOptions},
		{"bad timing", pluginapi.DiscoveryRequest{Targets: []string{"127.0.0.1"}, Timing: 9}, ErrInvalidOptions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, marker := fakeNmap(t, "exit 0")
			tt.req.ScannerPath = path
			res, err := Source{}.Discover(t.Context(), tt.req, func(discovery.Progress) {})
			if _, statErr := os.Stat(marker); !errors.Is(statErr, os.ErrNotExist) {
				t.Fatalf("the nmap stand-in ran (marker %s exists): validation must happen before nmap starts", marker)
			}
			if !errors.Is(err, pluginapi.ErrInvalidRequest) || !errors.Is(err, tt.want) {
				t.Errorf("Discover = %v, want ErrInvalidRequest and %v", err, tt.want)
			}
			if res.Run.Outcome != discovery.Failed || len(res.Run.Args) != 0 {
				t.Errorf("run %+v: nothing should have started", res.Run)
			}
		})
	}
}

func TestOptionsFrom(t *testing.T) {
	allow := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	req := pluginapi.DiscoveryRequest{Targets: []string{"127.0.0.1"}, Ports: "22", TopPorts: 0, Service: "intensity", Intensity: 3,
		HostTimeout: time.Second, Timeout: time.Minute, AllowedPrefixes: allow, Timing: int(TimingAggressive), OSDetection: true,
		HostGroup: 4, AllowNames: true, Unprivileged: true, MaxAddresses: 16, ScannerPath: "/opt/nmap"}
	o := OptionsFrom(req)
	if o.Service != ServiceIntensity || o.Intensity != 3 || o.Timing != TimingAggressive || o.NmapPath != "/opt/nmap" ||
		o.Resolver == nil || o.HostGroup != 4 || o.MaxAddresses != 16 || !o.Unprivileged || !o.OSDetection ||
		o.HostTimeout != time.Second || o.Ports != "22" || len(o.AllowedPrefixes) != 1 || o.Now == nil {
		t.Errorf("OptionsFrom(%+v) = %+v", req, o)
	}
	if o := OptionsFrom(pluginapi.DiscoveryRequest{Targets: []string{"127.0.0.1"}}); o.Resolver != nil || o.AllowNames {
		t.Errorf("names resolved without AllowNames: %+v", o)
	}
}
