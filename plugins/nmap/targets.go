package nmap

import (
	"context"
	"fmt"
	"math"
	"net/netip"
	"strings"
)

// target is one validated target: the prefix nmap receives (a single address is a /32 or /128),
// and the host names the caller gave for it.
type target struct {
	prefix netip.Prefix
	names  []string
	// single is true for an address named on its own (a literal address or a name), whose host
	// is reported even when down.
	single bool
}

// targetSet is the validated targets of one run.
type targetSet struct {
	targets []target
	ipv6    bool
}

// args returns the targets as nmap arguments.
func (s targetSet) args() []string {
	out := make([]string, len(s.targets))
	for i, t := range s.targets {
		if t.prefix.IsSingleIP() {
			out[i] = t.prefix.Addr().String()
		} else {
			out[i] = t.prefix.String()
		}
	}
	return out
}

// prefixes returns the scanned prefixes.
func (s targetSet) prefixes() []netip.Prefix {
	out := make([]netip.Prefix, len(s.targets))
	for i, t := range s.targets {
		out[i] = t.prefix
	}
	return out
}

// namesOf returns the given names of addr, and whether addr was named on its own.
func (s targetSet) namesOf(addr netip.Addr) (names []string, single bool) {
	for _, t := range s.targets {
		if t.single && t.prefix.Addr() == addr {
			return t.names, true
		}
	}
	return nil, false
}

// resolveTargets validates every target of o before anything runs: literal addresses and CIDR
// prefixes are parsed with net/netip, host names (only with AllowNames) are resolved through
// o.Resolver, and every resulting prefix is checked against o.AllowedPrefixes and the address
// limit. The first bad target ends validation with a *TargetError.
func resolveTargets(ctx context.Context, o Options) (targetSet, error) {
	var set targetSet
	var names []string
	family := 0 // 4 or 6, fixed by the first literal target
	index := map[netip.Prefix]int{}
	add := func(spec string, p netip.Prefix, name string, single bool) error {
		if err := allowed(spec, p, o.AllowedPrefixes); err != nil {
			return err
		}
		if i, ok := index[p]; ok {
			if name != "" {
				set.targets[i].names = appendName(set.targets[i].names, name)
			}
			set.targets[i].single = set.targets[i].single || single
			return nil
		}
		t := target{prefix: p, single: single}
		if name != "" {
			t.names = []string{name}
		}
		index[p] = len(set.targets)
		set.targets = append(set.targets, t)
		return nil
	}
	for _, raw := range o.Targets {
		spec := strings.TrimSpace(raw)
		p, isName, err := parseLiteral(spec)
		if err != nil {
			return targetSet{}, err
		}
		if isName {
			if !o.AllowNames {
				return targetSet{}, &TargetError{Target: spec, Err: ErrInvalidTarget,
					Detail: "not an IP address or CIDR prefix; host names are resolved only when names are allowed"}
			}
			names = append(names, spec)
			continue
		}
		f := familyOf(p.Addr())
		if family != 0 && f != family {
			return targetSet{}, &TargetError{Target: spec, Err: ErrInvalidTarget,
				Detail: "IPv4 and IPv6 targets cannot be mixed in one run: run one discovery per family"}
		}
		family = f
		if err := add(spec, p, "", p.IsSingleIP()); err != nil {
			return targetSet{}, err
		}
	}
	for _, name := range names {
		addrs, err := resolveName(ctx, o.Resolver, name)
		if err != nil {
			return targetSet{}, err
		}
		if family == 0 {
			family = 4
			if !hasFamily(addrs, 4) {
				family = 6
			}
		}
		n := 0
		for _, a := range addrs {
			if familyOf(a) != family {
				continue
			}
			n++
			if err := add(name, netip.PrefixFrom(a, a.BitLen()), name, true); err != nil {
				return targetSet{}, err
			}
		}
		if n == 0 {
			return targetSet{}, &TargetError{Target: name, Err: ErrUnresolvable,
				Detail: fmt.Sprintf("it has no IPv%d address, and the other targets are IPv%d", family, family)}
		}
	}
	set.ipv6 = family == 6
	if err := checkSize(set, o.MaxAddresses); err != nil {
		return targetSet{}, err
	}
	return set, nil
}

// parseLiteral parses an address or a CIDR prefix. isName is true when spec is syntactically a
// host name; anything else that does not parse is an invalid target.
func parseLiteral(spec string) (p netip.Prefix, isName bool, err error) {
	if spec == "" {
		return p, false, &TargetError{Target: spec, Err: ErrInvalidTarget, Detail: "empty target"}
	}
	if strings.Contains(spec, "/") {
		p, err := netip.ParsePrefix(spec)
		if err != nil {
			return p, false, &TargetError{Target: spec, Err: ErrInvalidTarget,
				Detail: "not a CIDR prefix (address/bits, bits at most 32 for IPv4 and 128 for IPv6): " + err.Error()}
		}
		if p.Addr().Zone() != "" || p.Addr().Is4In6() {
			return p, false, &TargetError{Target: spec, Err: ErrInvalidTarget, Detail: "write an IPv4 prefix in IPv4 form, without a zone"}
		}
		return p.Masked(), false, nil
	}
	if a, err := netip.ParseAddr(spec); err == nil {
		if a.Zone() != "" {
			return p, false, &TargetError{Target: spec, Err: ErrInvalidTarget, Detail: "addresses with a zone are not supported"}
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), false, nil
	}
	if isHostname(spec) {
		return p, true, nil
	}
	return p, false, &TargetError{Target: spec, Err: ErrInvalidTarget,
		Detail: "not an IP address, a CIDR prefix or a host name (nmap ranges like 127.0.0.1-5 are not accepted: use a prefix or list the addresses)"}
}

// isHostname reports whether s is a syntactically valid DNS host name whose last label does not
// start with a digit (so "127.0.0.300" and "127.0.0.1-5" are not names).
func isHostname(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	last := labels[len(labels)-1]
	return !(last[0] >= '0' && last[0] <= '9')
}

func resolveName(ctx context.Context, r Resolver, name string) ([]netip.Addr, error) {
	if r == nil {
		return nil, &TargetError{Target: name, Err: ErrUnresolvable, Detail: "no resolver configured"}
	}
	addrs, err := r.LookupNetIP(ctx, "ip", name)
	if err != nil {
		return nil, &TargetError{Target: name, Err: ErrUnresolvable, Detail: err.Error() + "; check the name or give an address"}
	}
	if len(addrs) == 0 {
		return nil, &TargetError{Target: name, Err: ErrUnresolvable, Detail: "the resolver returned no address"}
	}
	out := make([]netip.Addr, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, a.Unmap().WithZone(""))
	}
	return out, nil
}

// allowed checks that all of p lies inside one of the allowed prefixes (none: no policy).
func allowed(spec string, p netip.Prefix, allow []netip.Prefix) error {
	if len(allow) == 0 {
		return nil
	}
	for _, a := range allow {
		if a.Bits() <= p.Bits() && a.Contains(p.Addr()) {
			return nil
		}
	}
	what := "address " + p.Addr().String()
	if !p.IsSingleIP() {
		what = "prefix " + p.String()
	}
	return &TargetError{Target: spec, Err: ErrNotAllowed,
		Detail: fmt.Sprintf("%s is not inside %s; scan only what the assessment allows", what, joinPrefixes(allow))}
}

// checkSize refuses runs covering more than max addresses.
func checkSize(set targetSet, max int) error {
	if max == 0 {
		max = DefaultMaxAddresses
	}
	total := 0.0
	for _, t := range set.targets {
		total += math.Pow(2, float64(t.prefix.Addr().BitLen()-t.prefix.Bits()))
		if total > float64(max) {
			return &TargetError{Target: t.prefix.String(), Err: ErrInvalidTarget,
				Detail: fmt.Sprintf("the targets cover more than %d addresses: split the run or raise the limit", max)}
		}
	}
	return nil
}

func familyOf(a netip.Addr) int {
	if a.Is4() {
		return 4
	}
	return 6
}

func hasFamily(addrs []netip.Addr, f int) bool {
	for _, a := range addrs {
		if familyOf(a) == f {
			return true
		}
	}
	return false
}

func appendName(names []string, n string) []string {
	for _, x := range names {
		if x == n {
			return names
		}
	}
	return append(names, n)
}

func joinPrefixes(ps []netip.Prefix) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}
