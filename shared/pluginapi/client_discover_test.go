package pluginapi

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/discovery"
)

func TestDiscoverOverThePlugin(t *testing.T) {
	c := startTest(t, "test-discover")
	d, err := c.Describe(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if d.Kind != KindDiscovery {
		t.Fatalf("Describe kind %q, want %q", d.Kind, KindDiscovery)
	}
	var events []discovery.Progress
	res, err := c.Discover(t.Context(), DiscoveryRequest{Targets: []string{"127.0.0.1", "127.0.0.2"}, Service: "light"},
		func(p discovery.Progress) { events = append(events, p) })
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 3 || !events[2].Done || events[2].HostsDone != 2 {
		t.Errorf("progress events %+v, want two per-host reports and a final done", events)
	}
	if len(res.Hosts) != 2 || res.Hosts[1].Addresses[0] != netip.MustParseAddr("127.0.0.2") ||
		res.Hosts[0].Services[0].Product != "OpenSSH" {
		t.Errorf("hosts %+v", res.Hosts)
	}
	if res.Run.Outcome != discovery.Succeeded || res.Run.Source != "test-discover" || res.Run.ServiceDetection != "light" ||
		len(res.Run.Scanned) != 2 || res.Run.End.Sub(res.Run.Start) != time.Second {
		t.Errorf("run %+v", res.Run)
	}
}

func TestDiscoverOutcomes(t *testing.T) {
	c := startTest(t, "test-discover")
	tests := []struct {
		name        string
		req         DiscoveryRequest
		wantInvalid bool
		wantErr     string
		wantOutcome discovery.Outcome
		wantHosts   int
	}{
		{name: "refused request", req: DiscoveryRequest{Targets: []string{"127.0.0.1", "refuse"}},
			wantInvalid: true, wantErr: `"refuse"`, wantOutcome: discovery.Failed},
		{name: "failed run keeps its summary", req: DiscoveryRequest{Targets: []string{"127.0.0.1"}, Ports: "fail"},
			wantErr: "failed on purpose", wantOutcome: discovery.Failed, wantHosts: 1},
		{name: "plugin-side timeout returns the partial result",
			req:         DiscoveryRequest{Targets: []string{"127.0.0.1", "127.0.0.2"}, Ports: "wait", Timeout: 200 * time.Millisecond},
			wantOutcome: discovery.Partial, wantHosts: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := c.Discover(t.Context(), tt.req, nil)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("Discover: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("Discover err = %v, want one containing %s", err, tt.wantErr)
			}
			if errors.Is(err, ErrInvalidRequest) != tt.wantInvalid {
				t.Errorf("errors.Is(%v, ErrInvalidRequest) = %v, want %v", err, !tt.wantInvalid, tt.wantInvalid)
			}
			if res.Run.Outcome != tt.wantOutcome || len(res.Hosts) != tt.wantHosts {
				t.Errorf("outcome %q with %d hosts, want %q with %d", res.Run.Outcome, len(res.Hosts), tt.wantOutcome, tt.wantHosts)
			}
		})
	}
}

func TestDiscoverWrongKind(t *testing.T) {
	tests := []struct {
		name string
		call func(c *Client) error
	}{
		{"Discover on a package source", func(c *Client) error {
			_, err := c.Discover(context.Background(), DiscoveryRequest{Targets: []string{"127.0.0.1"}}, nil)
			return err
		}},
		{"Collect on a discovery source", func(c *Client) error { _, err := c.Collect(context.Background(), Request{Root: "/"}); return err }},
	}
	plugins := []string{"test-ok", "test-discover"}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := startTest(t, plugins[i])
			err := tt.call(c)
			if err == nil || !strings.Contains(err.Error(), "source") || !strings.Contains(err.Error(), plugins[i]) {
				t.Errorf("err = %v, want a refusal naming the plugin and its kind", err)
			}
			if c.Exited() {
				t.Error("the plugin exited")
			}
		})
	}
}

func TestDiscoverHangIsCut(t *testing.T) {
	c := startTest(t, "test-discover-hang")
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	res, err := c.Discover(ctx, DiscoveryRequest{Targets: []string{"127.0.0.1"}, Timeout: 100 * time.Millisecond}, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Discover on a hanging plugin = %v, want the deadline", err)
	}
	if res.Run.Outcome != discovery.Failed {
		t.Errorf("outcome %q, want failed", res.Run.Outcome)
	}
}
