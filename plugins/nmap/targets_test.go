package nmap

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func staticResolver(m map[string][]string) Resolver {
	return resolverFunc(func(ctx context.Context, network, host string) ([]netip.Addr, error) {
		ss, ok := m[host]
		if !ok {
			return nil, errors.New("no such host")
		}
		out := make([]netip.Addr, len(ss))
		for i, s := range ss {
			out[i] = netip.MustParseAddr(s)
		}
		return out, nil
	})
}

func TestResolveTargets(t *testing.T) {
	names := staticResolver(map[string][]string{
		"web.test":  {"127.0.0.5", "::1"},
		"v6.test":   {"::1"},
		"dup.test":  {"127.0.0.1"},
		"far.test":  {"192.0.2.7"},
		"none.test": {},
	})
	tests := []struct {
		name    string
		o       Options
		args    string // nmap target arguments, space-joined
		ipv6    bool
		wantErr error
		detail  string
	}{
		{name: "address", o: Options{Targets: []string{"127.0.0.1"}}, args: "127.0.0.1"},
		{name: "prefix masked", o: Options{Targets: []string{"127.0.0.9/30"}}, args: "127.0.0.8/30"},
		{name: "IPv4-mapped address unmapped", o: Options{Targets: []string{"::ffff:127.0.0.1"}}, args: "127.0.0.1"},
		{name: "duplicates merged", o: Options{Targets: []string{"127.0.0.1", " 127.0.0.1 ", "127.0.0.1/32"}}, args: "127.0.0.1"},
		{name: "IPv6", o: Options{Targets: []string{"::1"}}, args: "::1", ipv6: true},
		{name: "name resolved, family of the literal targets", o: Options{Targets: []string{"127.0.0.1", "web.test"}, AllowNames: true, Resolver: names},
			args: "127.0.0.1 127.0.0.5"},
		{name: "name alone prefers IPv4", o: Options{Targets: []string{"web.test"}, AllowNames: true, Resolver: names}, args: "127.0.0.5"},
		{name: "IPv6-only name", o: Options{Targets: []string{"v6.test"}, AllowNames: true, Resolver: names}, args: "::1", ipv6: true},
		{name: "name and its address once", o: Options{Targets: []string{"127.0.0.1", "dup.test"}, AllowNames: true, Resolver: names}, args: "127.0.0.1"},
		{name: "allow-list admits a sub-prefix", o: Options{Targets: []string{"127.0.0.0/24"}, AllowedPrefixes: loopback}, args: "127.0.0.0/24"},

		{name: "bad CIDR", o: Options{Targets: []string{"127.0.0.1/33"}}, wantErr: ErrInvalidTarget, detail: "CIDR"},
		{name: "bad address", o: Options{Targets: []string{"127.0.0.300"}}, wantErr: ErrInvalidTarget, detail: "not an IP address"},
		{name: "empty", o: Options{Targets: []string{""}}, wantErr: ErrInvalidTarget, detail: "empty"},
		{name: "option injection", o: Options{Targets: []string{"-iL/etc/passwd"}}, wantErr: ErrInvalidTarget},
		{name: "zone", o: Options{Targets: []string{"fe80::1%eth0"}}, wantErr: ErrInvalidTarget, detail: "zone"},
		{name: "mixed families", o: Options{Targets: []string{"127.0.0.1", "::1"}}, wantErr: ErrInvalidTarget, detail: "mixed"},
		{name: "name not allowed", o: Options{Targets: []string{"web.test"}}, wantErr: ErrInvalidTarget, detail: "names are allowed"},
		{name: "unresolvable", o: Options{Targets: []string{"nope.test"}, AllowNames: true, Resolver: names}, wantErr: ErrUnresolvable},
		{name: "resolves to nothing", o: Options{Targets: []string{"none.test"}, AllowNames: true, Resolver: names}, wantErr: ErrUnresolvable},
		{name: "no address of the run's family", o: Options{Targets: []string{"::1", "dup.test"}, AllowNames: true, Resolver: names},
			wantErr: ErrUnresolvable, detail: "IPv6"},
		{name: "name outside the allow-list", o: Options{Targets: []string{"far.test"}, AllowNames: true, Resolver: names, AllowedPrefixes: loopback},
			wantErr: ErrNotAllowed, detail: "192.0.2.7"},
		{name: "address outside", o: Options{Targets: []string{"192.0.2.1"}, AllowedPrefixes: loopback}, wantErr: ErrNotAllowed},
		{name: "prefix straddling", o: Options{Targets: []string{"126.0.0.0/7"}, AllowedPrefixes: loopback}, wantErr: ErrNotAllowed},
		{name: "too many addresses", o: Options{Targets: []string{"127.0.0.0/8"}}, wantErr: ErrInvalidTarget, detail: "more than 65536"},
		{name: "limit raised", o: Options{Targets: []string{"127.0.0.0/16"}, MaxAddresses: 1 << 16}, args: "127.0.0.0/16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := resolveTargets(context.Background(), tt.o)
			if tt.wantErr != nil {
				var te *TargetError
				if !errors.Is(err, tt.wantErr) || !errors.As(err, &te) {
					t.Fatalf("err = %v, want a *TargetError wrapping %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.detail) {
					t.Errorf("err %q does not say %q", err, tt.detail)
				}
				return
			}
			if err != nil {
				t.Fatalf("resolveTargets: %v", err)
			}
			if got := strings.Join(set.args(), " "); got != tt.args || set.ipv6 != tt.ipv6 {
				t.Errorf("args %q ipv6 %v, want %q %v", got, set.ipv6, tt.args, tt.ipv6)
			}
		})
	}
}

func TestResolveTargetsKeepsNames(t *testing.T) {
	set, err := resolveTargets(context.Background(), Options{Targets: []string{"a.test", "b.test", "127.0.0.0/30"}, AllowNames: true,
		Resolver: staticResolver(map[string][]string{"a.test": {"127.0.0.1"}, "b.test": {"127.0.0.1"}})})
	if err != nil {
		t.Fatal(err)
	}
	names, single := set.namesOf(netip.MustParseAddr("127.0.0.1"))
	if !single || strings.Join(names, ",") != "a.test,b.test" {
		t.Errorf("names %v single %v, want both given names", names, single)
	}
	if _, single := set.namesOf(netip.MustParseAddr("127.0.0.2")); single {
		t.Errorf("an address inside a prefix counts as named on its own")
	}
}

func TestIsHostname(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{name: "simple", in: "localhost", want: true},
		{name: "fqdn with dot", in: "host.example.org.", want: true},
		{name: "digits inside", in: "web01.example", want: true},
		{name: "numeric last label", in: "127.0.0.300", want: false},
		{name: "range", in: "127.0.0.1-5", want: false},
		{name: "leading hyphen", in: "-oX", want: false},
		{name: "underscore", in: "a_b.example", want: false},
		{name: "empty label", in: "a..b", want: false},
		{name: "too long label", in: strings.Repeat("a", 64) + ".example", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isHostname(tt.in); got != tt.want {
				t.Errorf("isHostname(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
