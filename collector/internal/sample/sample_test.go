package sample

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ceplus/ceplus/shared/rules"
)

func TestScopeHash(t *testing.T) {
	base := []rules.Device{
		{ID: "a", Type: "laptop", Build: "Debian 12"},
		{ID: "b", Type: "server", Build: "Debian 12"},
	}
	baseHash := ScopeHash(base)
	tests := []struct {
		name    string
		devices []rules.Device
		same    bool
	}{
		{"same devices in another order", []rules.Device{base[1], base[0]}, true},
		{"changed id", []rules.Device{{ID: "c", Type: "laptop", Build: "Debian 12"}, base[1]}, false},
		{"changed type", []rules.Device{{ID: "a", Type: "desktop", Build: "Debian 12"}, base[1]}, false},
		{"changed build", []rules.Device{{ID: "a", Type: "laptop", Build: "Debian 13"}, base[1]}, false},
		{"device added", append(slices.Clone(base), rules.Device{ID: "c", Type: "laptop", Build: "Debian 12"}), false},
		{"device removed", base[:1], false},
		{"empty scope", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ScopeHash(tt.devices)
			if (got == baseHash) != tt.same {
				t.Errorf("ScopeHash = %s, base %s: same = %v, want %v", got, baseHash, got == baseHash, tt.same)
			}
		})
	}
}

// TestScopeHashUnambiguous checks that moving bytes between fields changes the hash (the
// length prefixes make the encoding injective), where plain concatenation would collide.
func TestScopeHashUnambiguous(t *testing.T) {
	a := []rules.Device{{ID: "ab", Type: "laptop", Build: "c"}}
	b := []rules.Device{{ID: "a", Type: "laptop", Build: "bc"}}
	if ScopeHash(a) == ScopeHash(b) {
		t.Errorf("scopes %v and %v hash alike: the encoding is ambiguous", a, b)
	}
	c := []rules.Device{{ID: "x", Type: "laptop", Build: "B"}, {ID: "y", Type: "laptop", Build: "B"}}
	d := []rules.Device{{ID: "x", Type: "laptop", Build: "B\x00\x00\x00\x00\x00\x00\x00\x01y\x00\x00\x00\x00\x00\x00\x00\x06laptop\x00\x00\x00\x00\x00\x00\x00\x01B"}}
	if ScopeHash(c) == ScopeHash(d) {
		t.Error("a one-device scope forged to look like two devices hashes like them: the device count is not encoded")
	}
}

func TestSeedAndCommitment(t *testing.T) {
	zero, err := NewSeed(bytes.NewReader(make([]byte, 40)))
	if err != nil {
		t.Fatal(err)
	}
	// SHA-256 of 32 zero bytes.
	if got, want := Commitment(zero), "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925"; got != want {
		t.Errorf("Commitment(zero seed) = %s, want %s", got, want)
	}
	fixed := fixedSeed()
	s, err := NewSeed(bytes.NewReader(fixed[:]))
	if err != nil {
		t.Fatal(err)
	}
	if s != fixedSeed() {
		t.Errorf("NewSeed read %s, want %s", s, fixedSeed())
	}
	if _, err := NewSeed(bytes.NewReader(make([]byte, 31))); err == nil {
		t.Error("NewSeed from a 31-byte reader: no error")
	}
	if p, err := ParseSeed(strings.ToUpper(s.String())); err != nil || p != s {
		t.Errorf("ParseSeed(upper-case String()) = %s, %v; want %s", p, err, s)
	}
}

func TestParseSeedErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "want 64 hex digits"},
		{"short", "abcd", "got 4 characters"},
		{"long", strings.Repeat("0", 66), "got 66 characters"},
		{"not hex", strings.Repeat("zz", 32), "not hex"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSeed(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseSeed(%q) error = %v, want it to contain %q", tt.in, err, tt.want)
			}
		})
	}
}

func mixedScope() []rules.Device {
	return concat(
		build("w11", "laptop", "Windows 11 Pro 24H2", 50),
		build("mac", "laptop", "macOS 14", 30),
		build("srv", "server", "Windows Server 2022", 10),
		build("deb", "server", "Debian 12", 4),
		build("debl", "desktop", "Debian 12", 7),
		build("one", "mobile", "iOS 18", 1),
	)
}

func TestDrawDeterministic(t *testing.T) {
	scope := mixedScope()
	p := Policy{TestAllTypes: []string{"server"}}
	first := mustDraw(t, scope, p, 1, nil, fixedSeed())

	reversed := slices.Clone(scope)
	slices.Reverse(reversed)
	tests := []struct {
		name string
		got  Result
	}{
		{"same inputs", mustDraw(t, scope, p, 1, nil, fixedSeed())},
		{"devices in another order", mustDraw(t, reversed, p, 1, nil, fixedSeed())},
		{"policy in another order with repeats", mustDraw(t, scope, Policy{TestAllTypes: []string{"server", "server"}}, 1, nil, fixedSeed())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(first, tt.got); diff != "" {
				t.Errorf("draw differs (-first +got):\n%s", diff)
			}
		})
	}
}

// TestStreamDiffers checks that every input of the stream changes it, and that a changed seed,
// sample number or scope changes the devices drawn from a large build.
func TestStreamDiffers(t *testing.T) {
	scope := build("d", "laptop", "B", 500)
	scopeSum := hashSorted(scope)
	otherScope := hashSorted(build("d", "laptop", "B", 499))
	other := fixedSeed()
	other[31] ^= 1
	words := func(s *stream) []uint64 {
		out := make([]uint64, 8)
		for i := range out {
			out[i] = s.word()
		}
		return out
	}
	base := words(newStream(fixedSeed(), scopeSum, 1, "B"))
	tests := []struct {
		name string
		s    *stream
	}{
		{"other seed", newStream(other, scopeSum, 1, "B")},
		{"sample 2", newStream(fixedSeed(), scopeSum, 2, "B")},
		{"other scope", newStream(fixedSeed(), otherScope, 1, "B")},
		{"other build", newStream(fixedSeed(), scopeSum, 1, "C")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := words(tt.s)
			for i := range got {
				if got[i] == base[i] {
					t.Errorf("word %d = %#x, same as the base stream", i, got[i])
				}
			}
		})
	}
	if again := words(newStream(fixedSeed(), scopeSum, 1, "B")); !slices.Equal(again, base) {
		t.Errorf("same inputs gave stream %x, then %x", base, again)
	}

	baseDraw := mustDraw(t, scope, Policy{}, 1, nil, fixedSeed()).Devices["B"]
	draws := []struct {
		name string
		got  Result
	}{
		{"other seed", mustDraw(t, scope, Policy{}, 1, nil, other)},
		{"sample 2 without exclude", mustDraw(t, scope, Policy{}, 2, nil, fixedSeed())},
		{"other scope", mustDraw(t, scope[:499], Policy{}, 1, nil, fixedSeed())},
	}
	for _, tt := range draws {
		t.Run("devices/"+tt.name, func(t *testing.T) {
			if got := tt.got.Devices["B"]; slices.Equal(got, baseDraw) {
				t.Errorf("drew %v, the same as the base draw", got)
			}
		})
	}
}

func TestUniform(t *testing.T) {
	seed, scope := fixedSeed(), sha256.Sum256(nil)
	tests := []struct {
		name string
		n    uint64
	}{
		{"n=1", 1},
		{"n=23", 23},
		{"n=2^63+1 rejects about half the words", 1<<63 + 1},
		{"n=2^64-1", math.MaxUint64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			peek := newStream(seed, scope, 1, tt.name)
			s := newStream(seed, scope, 1, tt.name)
			limit := math.MaxUint64 - (-tt.n % tt.n) // last accepted word
			for range 200 {
				var want uint64
				for {
					w := peek.word()
					if w <= limit {
						want = w % tt.n
						break
					}
				}
				if got := s.uniform(tt.n); got != want || got >= tt.n {
					t.Fatalf("uniform(%d) = %d, want %d (first accepted word mod n)", tt.n, got, want)
				}
			}
		})
	}
	// 2^64 mod 3 = 1: only the word 2^64-1 is rejected for n = 3.
	three := uint64(3)
	if r := -three % three; r != 1 {
		t.Errorf("2^64 mod 3 computed as %d, want 1", r)
	}
}

func TestChooseIsPartialFisherYates(t *testing.T) {
	seed, scope := fixedSeed(), sha256.Sum256(nil)
	pool := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	ref := slices.Clone(pool)
	s := newStream(seed, scope, 1, "fy")
	for i := range 4 {
		j := i + int(s.uniform(uint64(10-i)))
		ref[i], ref[j] = ref[j], ref[i]
	}
	got := choose(pool, 4, newStream(seed, scope, 1, "fy"))
	if diff := cmp.Diff(ref[:4], got); diff != "" {
		t.Errorf("choose differs from the reference shuffle (-want +got):\n%s", diff)
	}
}

func TestDrawSizes(t *testing.T) {
	tests := []struct {
		name    string
		testAll []string
	}{
		{"sample everything", nil},
		{"test all servers", []string{"server"}},
		{"test all servers and mobiles", []string{"mobile", "server"}},
	}
	scope := mixedScope()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustDraw(t, scope, Policy{TestAllTypes: tt.testAll}, 1, nil, fixedSeed())
			sizes := map[string]int{}
			for b, bd := range r.Builds {
				sizes[b] = bd.Size
				if n := len(r.Devices[b]); n != bd.Size {
					t.Errorf("build %q: %d devices drawn, size %d", b, n, bd.Size)
				}
				if !slices.IsSorted(r.Devices[b]) {
					t.Errorf("build %q: devices %v not sorted", b, r.Devices[b])
				}
			}
			if diff := cmp.Diff(rules.SampleSizes(scope, tt.testAll), sizes); diff != "" {
				t.Errorf("sizes differ from rules.SampleSizes (-want +got):\n%s", diff)
			}
			for _, d := range scope {
				if slices.Contains(tt.testAll, d.Type) {
					if !slices.Contains(r.Devices[d.Build], d.ID) {
						t.Errorf("device %s of test_all_types type %s not drawn", d.ID, d.Type)
					}
				}
			}
		})
	}
}

func TestSample2(t *testing.T) {
	laptops3 := build("lap", "laptop", "Windows 11 Pro 24H2", 3)
	six := build("d", "desktop", "Debian 12", 6)
	servers := build("srv", "server", "Debian 12", 2)
	thirty := build("w", "laptop", "Windows 11 Pro 23H2", 30)
	tests := []struct {
		name    string
		scope   []rules.Device
		testAll []string
		exclude []string
		want    map[string][]string // exact devices, when known
		rules   map[string]string   // rule per build
		avoid   map[string][]string // ids that must not be drawn
		sizes   map[string][2]int   // build → {size, drawn}
		check   func(*testing.T, Result)
	}{
		{
			name:    "3 laptops all in Sample 1: rescan all",
			scope:   laptops3,
			exclude: ids(laptops3),
			want:    map[string][]string{"Windows 11 Pro 24H2": {"lap-00", "lap-01", "lap-02"}},
			rules:   map[string]string{"Windows 11 Pro 24H2": RuleRescanAll},
			sizes:   map[string][2]int{"Windows 11 Pro 24H2": {2, 3}},
		},
		{
			name:    "6 devices with 3 in Sample 1: the other 3",
			scope:   six,
			exclude: []string{"d-00", "d-02", "d-04"},
			want:    map[string][]string{"Debian 12": {"d-01", "d-03", "d-05"}},
			rules:   map[string]string{"Debian 12": RuleDrawn},
		},
		{
			name:    "6 devices with 4 in Sample 1: the 2 left",
			scope:   six,
			exclude: []string{"d-00", "d-01", "d-02", "d-04"},
			want:    map[string][]string{"Debian 12": {"d-03", "d-05"}},
			rules:   map[string]string{"Debian 12": RuleSmallPool},
			sizes:   map[string][2]int{"Debian 12": {3, 2}},
		},
		{
			name:    "test_all_types servers are always re-tested",
			scope:   concat(six, servers),
			testAll: []string{"server"},
			exclude: []string{"d-00", "d-02", "d-04", "srv-00", "srv-01"},
			want:    map[string][]string{"Debian 12": {"d-01", "d-03", "d-05", "srv-00", "srv-01"}},
			rules:   map[string]string{"Debian 12": RuleDrawn},
			sizes:   map[string][2]int{"Debian 12": {5, 5}},
		},
		{
			name:    "a build of test_all_types devices only",
			scope:   servers,
			testAll: []string{"server"},
			exclude: ids(servers),
			want:    map[string][]string{"Debian 12": {"srv-00", "srv-01"}},
			rules:   map[string]string{"Debian 12": RuleTestAllTypes},
		},
		{
			name:    "30 laptops with 4 in Sample 1: 4 others drawn",
			scope:   concat(thirty, laptops3),
			exclude: []string{"w-03", "w-11", "w-17", "w-29", "lap-01"},
			rules:   map[string]string{"Windows 11 Pro 23H2": RuleDrawn, "Windows 11 Pro 24H2": RuleDrawn},
			avoid:   map[string][]string{"Windows 11 Pro 23H2": {"w-03", "w-11", "w-17", "w-29"}},
			sizes:   map[string][2]int{"Windows 11 Pro 23H2": {4, 4}, "Windows 11 Pro 24H2": {2, 2}},
			check: func(t *testing.T, r Result) {
				if got := r.Devices["Windows 11 Pro 24H2"]; !slices.Equal(got, []string{"lap-00", "lap-02"}) {
					t.Errorf("3 laptops with 1 in Sample 1: got %v, want the other two", got)
				}
			},
		},
		{
			name:    "builds are judged separately",
			scope:   concat(laptops3, six),
			exclude: append(ids(laptops3), "d-00"),
			rules:   map[string]string{"Windows 11 Pro 24H2": RuleRescanAll, "Debian 12": RuleDrawn},
			avoid:   map[string][]string{"Debian 12": {"d-00"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustDraw(t, tt.scope, Policy{TestAllTypes: tt.testAll}, 2, tt.exclude, fixedSeed())
			if tt.want != nil {
				if diff := cmp.Diff(tt.want, r.Devices); diff != "" {
					t.Errorf("devices (-want +got):\n%s", diff)
				}
			}
			for b, rule := range tt.rules {
				if got := r.Builds[b].Rule; got != rule {
					t.Errorf("build %q: rule %q, want %q", b, got, rule)
				}
			}
			for b, avoid := range tt.avoid {
				for _, id := range avoid {
					if slices.Contains(r.Devices[b], id) {
						t.Errorf("build %q: Sample 1 device %s drawn again: %v", b, id, r.Devices[b])
					}
				}
			}
			for b, sd := range tt.sizes {
				if got := [2]int{r.Builds[b].Size, len(r.Devices[b])}; got != sd {
					t.Errorf("build %q: {size, devices} = %v, want %v", b, got, sd)
				}
			}
			want := slices.Clone(tt.exclude)
			slices.Sort(want)
			if diff := cmp.Diff(want, r.Exclude); diff != "" {
				t.Errorf("recorded exclude (-want +got):\n%s", diff)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

// TestSample2AfterSample1 draws Sample 1, then Sample 2 with it excluded, over many seeds: Sample 2
// never repeats a Sample 1 device while the pool is large enough, and has the same sizes.
func TestSample2AfterSample1(t *testing.T) {
	scope := mixedScope()
	p := Policy{TestAllTypes: []string{"server"}}
	for i := range uint64(200) {
		s1 := mustDraw(t, scope, p, 1, nil, derivedSeed("s1", i))
		var excl []string
		for _, d := range s1.Devices {
			excl = append(excl, d...)
		}
		s2 := mustDraw(t, scope, p, 2, excl, derivedSeed("s2", i))
		for b, bd := range s2.Builds {
			if bd.Size != s1.Builds[b].Size {
				t.Fatalf("seed %d build %q: Sample 2 size %d, Sample 1 size %d", i, b, bd.Size, s1.Builds[b].Size)
			}
			if bd.Rule != RuleDrawn {
				continue
			}
			for _, id := range s2.Devices[b] {
				if slices.Contains(s1.Devices[b], id) && !strings.HasPrefix(id, "srv") && !strings.HasPrefix(id, "deb-") {
					t.Fatalf("seed %d build %q: %s in both samples", i, b, id)
				}
			}
		}
		if got := s2.Builds["iOS 18"].Rule; got != RuleRescanAll {
			t.Fatalf("seed %d: the single iOS device was in Sample 1; rule %q, want %q", i, got, RuleRescanAll)
		}
	}
}

func TestDrawErrors(t *testing.T) {
	ok := build("d", "laptop", "B", 3)
	tests := []struct {
		name    string
		devices []rules.Device
		policy  Policy
		sample  int
		exclude []string
		want    string
	}{
		{"sample 0", ok, Policy{}, 0, nil, "sample: 0 is not 1 or 2"},
		{"sample 3", ok, Policy{}, 3, nil, "sample: 3 is not 1 or 2"},
		{"exclude with sample 1", ok, Policy{}, 1, []string{"d-00"}, "exclude: Sample 1 excludes nothing"},
		{"unknown test_all_types", ok, Policy{TestAllTypes: []string{"router"}}, 1, nil, `test_all_types: "router" is not one of`},
		{"device without id", concat(ok, []rules.Device{{Type: "laptop", Build: "B"}}), Policy{}, 1, nil, "devices[3]: device id is empty"},
		{"device with unknown type", concat(ok, []rules.Device{{ID: "x", Type: "phone", Build: "B"}}), Policy{}, 1, nil, `devices[3]: device "x": type "phone"`},
		{"device without build", concat(ok, []rules.Device{{ID: "x", Type: "laptop"}}), Policy{}, 1, nil, `devices[3]: device "x": build is empty`},
		{"duplicate id", concat(ok, ok[1:2]), Policy{}, 1, nil, `devices[3]: duplicate device id "d-01" (also devices[1])`},
		{"exclude not in scope", ok, Policy{}, 2, []string{"d-00", "nope"}, `exclude: device id "nope" is not in the scope`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Draw(tt.devices, tt.policy, tt.sample, tt.exclude, fixedSeed())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Draw error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	scope := mixedScope()
	p := Policy{TestAllTypes: []string{"server"}}
	s1 := mustDraw(t, scope, p, 1, nil, fixedSeed())
	s2 := mustDraw(t, scope, p, 2, []string{"w11-00", "mac-01", "one-00"}, derivedSeed("s2", 0))
	other := derivedSeed("other", 0)

	clone := func(r Result, edit func(*Result)) Result {
		c := r
		c.Builds = map[string]BuildDraw{}
		for k, v := range r.Builds {
			c.Builds[k] = v
		}
		c.Devices = map[string][]string{}
		for k, v := range r.Devices {
			c.Devices[k] = slices.Clone(v)
		}
		c.Exclude = slices.Clone(r.Exclude)
		c.TestAllTypes = slices.Clone(r.TestAllTypes)
		edit(&c)
		return c
	}
	tests := []struct {
		name     string
		recorded Result
		scope    []rules.Device
		want     []string // substrings of the differences; nil = verifies
	}{
		{"sample 1 verifies", s1, scope, nil},
		{"sample 2 verifies", s2, scope, nil},
		{"changed device", clone(s1, func(r *Result) { r.Devices["macOS 14"][0] = "mac-29" }), scope,
			[]string{`devices of build "macOS 14"`}},
		{"device added to a build", clone(s1, func(r *Result) { r.Devices["iOS 18"] = append(r.Devices["iOS 18"], "w11-00") }), scope,
			[]string{`devices of build "iOS 18"`}},
		{"changed seed, commitment kept", clone(s1, func(r *Result) { r.Seed = other.String() }), scope,
			[]string{"commitment: recorded " + s1.Commitment + " is not the SHA-256 of the recorded seed"}},
		{"changed seed and commitment", clone(s1, func(r *Result) { r.Seed, r.Commitment = other.String(), Commitment(other) }), scope,
			[]string{"devices of build"}},
		{"wrong commitment", clone(s1, func(r *Result) { r.Commitment = Commitment(other) }), scope,
			[]string{"commitment: recorded"}},
		{"changed scope: device removed", s1, scope[1:], []string{"scope_hash: recorded", "scope_devices: recorded 102"}},
		{"changed scope: device moved to another build", s1,
			append([]rules.Device{{ID: scope[0].ID, Type: "laptop", Build: "macOS 14"}}, scope[1:]...),
			[]string{"scope_hash: recorded"}},
		{"changed sample number", clone(s1, func(r *Result) { r.Sample = 2 }), scope, []string{"devices of build"}},
		{"sample 2 with changed exclude", clone(s2, func(r *Result) { r.Exclude = []string{"w11-00"} }), scope,
			[]string{`builds["iOS 18"]`}},
		{"changed rule", clone(s2, func(r *Result) { bd := r.Builds["iOS 18"]; bd.Rule = RuleDrawn; r.Builds["iOS 18"] = bd }), scope,
			[]string{`builds["iOS 18"]`}},
		{"changed policy", clone(s1, func(r *Result) { r.TestAllTypes = nil }), scope, []string{`builds["Debian 12"]`}},
		{"unknown algorithm", clone(s1, func(r *Result) { r.Algorithm = "ceplus-sample-v0" }), scope, []string{`algorithm: recorded "ceplus-sample-v0"`}},
		{"build not in scope", clone(s1, func(r *Result) { r.Devices["Plan 9"] = []string{"x"} }), scope, []string{`recorded build "Plan 9" is not in the scope`}},
		{"build missing", clone(s1, func(r *Result) { delete(r.Devices, "iOS 18") }), scope, []string{`build "iOS 18" is missing`}},
		{"exclude not in scope", clone(s2, func(r *Result) { r.Exclude = append(r.Exclude, "ghost") }), scope, []string{`re-running the draw failed: exclude: device id "ghost"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.recorded, tt.scope)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			var me *MismatchError
			if !errors.As(err, &me) {
				t.Fatalf("Verify error = %v, want a *MismatchError", err)
			}
			for _, w := range tt.want {
				if !slices.ContainsFunc(me.Differences, func(d string) bool { return strings.Contains(d, w) }) {
					t.Errorf("differences %q: none contains %q", me.Differences, w)
				}
			}
		})
	}
	bad := s1
	bad.Seed = "xyz"
	if err := Verify(bad, scope); err == nil || errors.As(err, new(*MismatchError)) || !strings.Contains(err.Error(), "seed") {
		t.Errorf("Verify with seed %q: error %v, want a plain error naming the seed", bad.Seed, err)
	}
}
