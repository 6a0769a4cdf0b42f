package nmap

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestBuildArgs(t *testing.T) {
	const fixed = "-n -v --noninteractive --stats-every 2000ms -oX - "
	tests := []struct {
		name       string
		o          Options
		privileged bool
		want       string
		scan       string
		warnings   []string
	}{
		{name: "root defaults", o: Options{Targets: []string{"127.0.0.1"}}, privileged: true,
			want: fixed + "-sS 127.0.0.1", scan: "syn"},
		{name: "not root", o: Options{Targets: []string{"127.0.0.1"}},
			want: fixed + "-sT 127.0.0.1", scan: "connect", warnings: []string{"not running as root"}},
		{name: "root, unprivileged requested", o: Options{Targets: []string{"127.0.0.1"}, Unprivileged: true}, privileged: true,
			want: fixed + "-sT --unprivileged 127.0.0.1", scan: "connect", warnings: []string{"unprivileged scan requested"}},
		{name: "OS detection as root", o: Options{Targets: []string{"127.0.0.1"}, OSDetection: true}, privileged: true,
			want: fixed + "-sS -O 127.0.0.1", scan: "syn"},
		{name: "OS detection dropped without root", o: Options{Targets: []string{"127.0.0.1"}, OSDetection: true},
			want: fixed + "-sT 127.0.0.1", scan: "connect", warnings: []string{"connect scan", "OS detection needs root"}},
		{name: "ports and light", o: Options{Targets: []string{"127.0.0.1"}, Ports: "22,80", Service: ServiceLight}, privileged: true,
			want: fixed + "-sS -p 22,80 -sV --version-light 127.0.0.1", scan: "syn"},
		{name: "top ports and default", o: Options{Targets: []string{"127.0.0.1"}, TopPorts: 100, Service: ServiceDefault}, privileged: true,
			want: fixed + "-sS --top-ports 100 -sV 127.0.0.1", scan: "syn"},
		{name: "all", o: Options{Targets: []string{"127.0.0.1"}, Service: ServiceAll}, privileged: true,
			want: fixed + "-sS -sV --version-all 127.0.0.1", scan: "syn"},
		{name: "intensity", o: Options{Targets: []string{"127.0.0.1"}, Service: ServiceIntensity, Intensity: 4}, privileged: true,
			want: fixed + "-sS -sV --version-intensity 4 127.0.0.1", scan: "syn"},
		{name: "timing, host timeout, host group", o: Options{Targets: []string{"127.0.0.1"}, Timing: TimingAggressive,
			HostTimeout: 90 * time.Second, HostGroup: 4}, privileged: true,
			want: fixed + "-sS -T4 --host-timeout 90000ms --max-hostgroup 4 127.0.0.1", scan: "syn"},
		{name: "paranoid is T0", o: Options{Targets: []string{"127.0.0.1"}, Timing: TimingParanoid}, privileged: true,
			want: fixed + "-sS -T0 127.0.0.1", scan: "syn"},
		{name: "IPv6 and stats interval", o: Options{Targets: []string{"::1"}, StatsEvery: 500 * time.Millisecond}, privileged: true,
			want: "-n -v --noninteractive --stats-every 500ms -oX - -6 -sS ::1", scan: "syn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := resolveTargets(context.Background(), tt.o)
			if err != nil {
				t.Fatal(err)
			}
			p := buildArgs(tt.o, set, tt.privileged)
			if got := strings.Join(p.args, " "); got != tt.want {
				t.Errorf("args\n got %q\nwant %q", got, tt.want)
			}
			if p.scanType != tt.scan || p.privileged != (tt.scan == "syn") {
				t.Errorf("scan %q privileged %v, want %q", p.scanType, p.privileged, tt.scan)
			}
			w := strings.Join(p.warnings, "\n")
			for _, want := range tt.warnings {
				if !strings.Contains(w, want) {
					t.Errorf("warnings %q do not say %q", w, want)
				}
			}
			if len(tt.warnings) == 0 && len(p.warnings) != 0 {
				t.Errorf("unexpected warnings %q", p.warnings)
			}
		})
	}
}

func TestOptionsCheck(t *testing.T) {
	base := []string{"127.0.0.1"}
	tests := []struct {
		name string
		o    Options
		ok   bool
	}{
		{name: "minimal", o: Options{Targets: base}, ok: true},
		{name: "port list and ranges", o: Options{Targets: base, Ports: "1,22,8000-8100,65535"}, ok: true},
		{name: "no targets", o: Options{}},
		{name: "ports and top ports", o: Options{Targets: base, Ports: "22", TopPorts: 10}},
		{name: "port zero", o: Options{Targets: base, Ports: "0"}},
		{name: "port too big", o: Options{Targets: base, Ports: "65536"}},
		{name: "reversed range", o: Options{Targets: base, Ports: "90-80"}},
		{name: "protocol prefix", o: Options{Targets: base, Ports: "T:22"}},
		{name: "empty element", o: Options{Targets: base, Ports: "22,"}},
		{name: "negative top ports", o: Options{Targets: base, TopPorts: -1}},
		{name: "unknown service mode", o: Options{Targets: base, Service: "deep"}},
		{name: "intensity 10", o: Options{Targets: base, Service: ServiceIntensity, Intensity: 10}},
		{name: "intensity 0", o: Options{Targets: base, Service: ServiceIntensity, Intensity: 0}, ok: true},
		{name: "timing T6", o: Options{Targets: base, Timing: TimingInsane + 1}},
		{name: "negative host timeout", o: Options{Targets: base, HostTimeout: -time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.o.check()
			if tt.ok != (err == nil) {
				t.Fatalf("check() = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalidOptions) {
				t.Errorf("err %v does not wrap ErrInvalidOptions", err)
			}
		})
	}
}

func TestParseServiceMode(t *testing.T) {
	for _, s := range []string{"off", "light", "default", "all"} {
		if m, err := ParseServiceMode(s); err != nil || string(m) != s {
			t.Errorf("ParseServiceMode(%q) = %q, %v", s, m, err)
		}
	}
	if _, err := ParseServiceMode("intensity"); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("ParseServiceMode(intensity) = %v, want ErrInvalidOptions", err)
	}
}

func TestClassifyStderr(t *testing.T) {
	tests := []struct {
		name     string
		stderr   string
		warnings int
		want     error
	}{
		{name: "clean", stderr: "", warnings: 0},
		{name: "plain warning", stderr: "WARNING: RST from 127.0.0.1 port 22 -- is this port really open?\n", warnings: 1},
		{name: "failed to resolve, repeated", stderr: "Failed to resolve \"127.0.0.300\".\nFailed to resolve \"127.0.0.300\".\n" +
			"WARNING: No targets were specified, so 0 hosts scanned.\n", warnings: 2, want: ErrNoHostsScanned},
		{name: "illegal netmask", stderr: "Illegal netmask in \"127.0.0.1/33\". Assuming /32 (one host)\n", warnings: 1, want: ErrNoHostsScanned},
		{name: "root required", stderr: "You requested a scan type which requires root privileges.\nQUITTING!\n", warnings: 2, want: ErrRequiresRoot},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := classifyStderr(tt.stderr)
			if len(w) != tt.warnings {
				t.Errorf("warnings %q, want %d", w, tt.warnings)
			}
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}
