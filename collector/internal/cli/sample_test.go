package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ceplus/ceplus/collector/internal/sample"
	"github.com/ceplus/ceplus/shared/cmdline"
	"github.com/ceplus/ceplus/shared/rules"
)

const seedHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

// testScope is 12 laptops of one build, 6 desktops of another, 2 servers and a single mobile.
func testScope() []rules.Device {
	var ds []rules.Device
	for i := range 12 {
		ds = append(ds, rules.Device{ID: fmt.Sprintf("lap-%02d", i), Type: "laptop", Build: "Windows 11 Pro 24H2"})
	}
	for i := range 6 {
		ds = append(ds, rules.Device{ID: fmt.Sprintf("deb-%d", i), Type: "desktop", Build: "Debian 12"})
	}
	ds = append(ds,
		rules.Device{ID: "srv-1", Type: "server", Build: "Debian 12"},
		rules.Device{ID: "srv-2", Type: "server", Build: "Debian 12"},
		rules.Device{ID: "phone", Type: "mobile", Build: "iOS 18"})
	return ds
}

// files writes name → content into a temporary directory and returns the directory.
func files(t *testing.T, contents map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, c := range contents {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// run runs the collector command line in-process in dir (paths in args are relative to it).
func run(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	t.Chdir(dir)
	code = Run(context.Background(), append([]string{"ceplus-collector"}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func decodeResult(t *testing.T, s string) sample.Result {
	t.Helper()
	var r sample.Result
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		t.Fatalf("stdout is not a draw result: %v\n%s", err, s)
	}
	return r
}

func TestSampleDraw(t *testing.T) {
	scope := testScope()
	seed, err := sample.ParseSeed(seedHex)
	if err != nil {
		t.Fatal(err)
	}
	s1, err := sample.Draw(scope, sample.Policy{TestAllTypes: []string{"server"}}, 1, nil, seed)
	if err != nil {
		t.Fatal(err)
	}
	var s1ids []string
	var s1objs []rules.Device
	for _, ids := range s1.Devices {
		s1ids = append(s1ids, ids...)
	}
	for _, d := range scope {
		for _, id := range s1ids {
			if d.ID == id {
				s1objs = append(s1objs, d)
			}
		}
	}
	s2, err := sample.Draw(scope, sample.Policy{TestAllTypes: []string{"server"}}, 2, s1ids, seed)
	if err != nil {
		t.Fatal(err)
	}
	dir := files(t, map[string]string{
		"scope.json":          mustJSON(t, map[string]any{"devices": scope}),
		"scope-policy.json":   mustJSON(t, map[string]any{"devices": scope, "policy": map[string]any{"test_all_types": []string{"server"}}}),
		"s1-draw.json":        mustJSON(t, s1),
		"s1-devices.json":     mustJSON(t, map[string]any{"devices": s1objs}),
		"s1-ids.json":         mustJSON(t, map[string]any{"devices": s1ids}),
		"case.json":           mustJSON(t, map[string]any{"contract": 1, "scheme": "ceplus", "devices": scope, "policy": map[string]any{"test_all_types": []string{"server"}}, "events": []any{}}),
		"s1-devices-ids.json": mustJSON(t, map[string]any{"devices": s1ids}),
	})
	tests := []struct {
		name string
		args []string
		want sample.Result
	}{
		{"sample 1, policy by flag", []string{"--scope", "scope.json", "--sample", "1", "--seed", seedHex, "--test-all-types", "server"}, s1},
		{"sample 1, policy in the scope file", []string{"--scope", "scope-policy.json", "--sample", "1", "--seed", seedHex}, s1},
		{"sample 1, same policy in both", []string{"--scope", "scope-policy.json", "--sample=1", "--seed", strings.ToUpper(seedHex), "--test-all-types", " server ,server"}, s1},
		{"sample 1 from a contract v1 case file", []string{"--scope", "case.json", "--sample", "1", "--seed", seedHex}, s1},
		{"sample 2, exclude is the Sample 1 draw", []string{"--scope", "scope-policy.json", "--sample", "2", "--exclude", "s1-draw.json", "--seed", seedHex}, s2},
		{"sample 2, exclude shaped like the scope", []string{"--scope", "scope-policy.json", "--sample", "2", "--exclude", "s1-devices.json", "--seed", seedHex}, s2},
		{"sample 2, exclude as ids", []string{"--scope", "scope-policy.json", "--sample", "2", "--exclude", "s1-ids.json", "--seed", seedHex}, s2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, dir, append([]string{"sample", "draw"}, tt.args...)...)
			if code != cmdline.ExitOK || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			if diff := cmp.Diff(tt.want, decodeResult(t, stdout)); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSampleDrawFreshSeed checks that without --seed the seed comes from the random source and
// the commitment is its SHA-256.
func TestSampleDrawFreshSeed(t *testing.T) {
	dir := files(t, map[string]string{"scope.json": mustJSON(t, map[string]any{"devices": testScope()})})
	t.Chdir(dir)
	fixed := bytes.Repeat([]byte{0xab}, 32)
	var out, errb bytes.Buffer
	stdio := cmdline.IO{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb}
	if code := (sampler{rand: bytes.NewReader(fixed)}).run(context.Background(), stdio, []string{"draw", "--scope", "scope.json", "--sample", "1"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	r := decodeResult(t, out.String())
	if r.Seed != hex.EncodeToString(fixed) {
		t.Errorf("seed %s, want the random source's bytes %x", r.Seed, fixed)
	}
	sum := sha256.Sum256(fixed)
	if r.Commitment != hex.EncodeToString(sum[:]) {
		t.Errorf("commitment %s, want SHA-256 of the seed %x", r.Commitment, sum)
	}

	out.Reset()
	if code := (sampler{rand: bytes.NewReader(fixed[:10])}).run(context.Background(), stdio, []string{"draw", "--scope", "scope.json", "--sample", "1"}); code != cmdline.ExitError || out.Len() != 0 {
		t.Errorf("random source failing: exit %d, stdout %q; want exit 1 and no output", code, out.String())
	}

	// The real command uses crypto/rand: two draws have different seeds.
	_, a, _ := run(t, dir, "sample", "draw", "--scope", "scope.json", "--sample", "1")
	_, b, _ := run(t, dir, "sample", "draw", "--scope", "scope.json", "--sample", "1")
	if ra, rb := decodeResult(t, a), decodeResult(t, b); ra.Seed == rb.Seed {
		t.Errorf("two draws without --seed both used seed %s", ra.Seed)
	}
}

func TestSampleVerify(t *testing.T) {
	scope := testScope()
	seed, _ := sample.ParseSeed(seedHex)
	p := sample.Policy{TestAllTypes: []string{"server"}}
	s1, err := sample.Draw(scope, p, 1, nil, seed)
	if err != nil {
		t.Fatal(err)
	}
	var s1ids []string
	for _, ids := range s1.Devices {
		s1ids = append(s1ids, ids...)
	}
	s2, err := sample.Draw(scope, p, 2, s1ids, seed)
	if err != nil {
		t.Fatal(err)
	}
	tampered := s1
	tampered.Devices = map[string][]string{}
	for b, ids := range s1.Devices {
		tampered.Devices[b] = ids
	}
	tampered.Devices["iOS 18"] = []string{"lap-00"}
	otherSeed := s1
	otherSeed.Seed = strings.Repeat("ab", 32)
	changedScope := append([]rules.Device{{ID: "extra", Type: "laptop", Build: "Windows 11 Pro 24H2"}}, scope...)
	dir := files(t, map[string]string{
		"scope.json":         mustJSON(t, map[string]any{"devices": scope}),
		"scope-policy.json":  mustJSON(t, map[string]any{"devices": scope, "policy": map[string]any{"test_all_types": []string{"server"}}}),
		"scope-network.json": mustJSON(t, map[string]any{"devices": scope, "policy": map[string]any{"test_all_types": []string{"network"}}}),
		"changed.json":       mustJSON(t, map[string]any{"devices": changedScope}),
		"s1.json":            mustJSON(t, s1),
		"s2.json":            mustJSON(t, s2),
		"tampered.json":      mustJSON(t, tampered),
		"other-seed.json":    mustJSON(t, otherSeed),
		"wrong-s1.json":      mustJSON(t, map[string]any{"devices": []string{"lap-00"}}),
	})
	tests := []struct {
		name string
		args []string
		code int
		want string // substring of stdout (exit 0) or stderr (exit 1)
	}{
		{"sample 1 verifies", []string{"s1.json", "--scope", "scope.json"}, 0, "ok: s1.json re-runs identically: sample 1"},
		{"flags before the draw", []string{"--scope", "scope-policy.json", "s1.json"}, 0, "ok: s1.json"},
		{"sample 2 verifies", []string{"s2.json", "--scope", "scope.json", "--exclude", "s1.json"}, 0, "ok: s2.json re-runs identically: sample 2"},
		{"tampered devices", []string{"tampered.json", "--scope", "scope.json"}, 1, `devices of build "iOS 18": recorded ["lap-00"], the re-run gives ["phone"]`},
		{"changed seed", []string{"other-seed.json", "--scope", "scope.json"}, 1, "commitment: recorded"},
		{"changed scope", []string{"s1.json", "--scope", "changed.json"}, 1, "scope_hash: recorded " + s1.ScopeHash},
		{"scope policy differs", []string{"s1.json", "--scope", "scope-network.json"}, 1, `test_all_types: recorded ["server"], scope-network.json has policy.test_all_types ["network"]`},
		{"wrong Sample 1 given", []string{"s2.json", "--scope", "scope.json", "--exclude", "wrong-s1.json"}, 1, "exclude: recorded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, dir, append([]string{"sample", "verify"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stdout %q, stderr %q", code, tt.code, stdout, stderr)
			}
			got := stdout
			if code != 0 {
				got = stderr
				if stdout != "" {
					t.Errorf("stdout %q, want nothing when the draw does not verify", stdout)
				}
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("output %q does not contain %q", got, tt.want)
			}
		})
	}
}

// TestSampleBadInput checks that malformed input exits 2 with one message naming the field and
// value on stderr and nothing on stdout.
func TestSampleBadInput(t *testing.T) {
	scope := testScope()
	seed, _ := sample.ParseSeed(seedHex)
	s2, err := sample.Draw(scope, sample.Policy{}, 2, []string{"lap-00"}, seed)
	if err != nil {
		t.Fatal(err)
	}
	s1, err := sample.Draw(scope, sample.Policy{}, 1, nil, seed)
	if err != nil {
		t.Fatal(err)
	}
	with := func(d rules.Device) string {
		return mustJSON(t, map[string]any{"devices": append(testScope(), d)})
	}
	badSeed := s1
	badSeed.Seed = "12zz"
	badSample := s1
	badSample.Sample = 3
	dir := files(t, map[string]string{
		"scope.json":       mustJSON(t, map[string]any{"devices": scope}),
		"bad.json":         `{"devices": [{"id": "a", "type": "laptop", "build": "B"},]}`,
		"trailing.json":    `{"devices": [{"id": "a", "type": "laptop", "build": "B"}]} {}`,
		"empty.json":       ``,
		"nodevices.json":   `{"device": []}`,
		"nodev.json":       `{"devices": []}`,
		"devobj.json":      `{"devices": {"a": 1}}`,
		"numid.json":       `{"devices": [{"id": 7, "type": "laptop", "build": "B"}]}`,
		"noid.json":        with(rules.Device{Type: "laptop", Build: "B"}),
		"notype.json":      with(rules.Device{ID: "x", Build: "B"}),
		"nobuild.json":     with(rules.Device{ID: "x", Type: "laptop"}),
		"unknowntype.json": with(rules.Device{ID: "x", Type: "router", Build: "B"}),
		"dup.json":         with(rules.Device{ID: "lap-03", Type: "laptop", Build: "B"}),
		"badpolicy.json":   mustJSON(t, map[string]any{"devices": scope, "policy": map[string]any{"test_all_types": []string{"server", "printer"}}}),
		"policy.json":      mustJSON(t, map[string]any{"devices": scope, "policy": map[string]any{"test_all_types": []string{"server"}}}),
		"ghost.json":       mustJSON(t, map[string]any{"devices": []rules.Device{{ID: "lap-00"}, {ID: "ghost", Type: "laptop", Build: "B"}}}),
		"wrongbuild.json":  mustJSON(t, map[string]any{"devices": []rules.Device{{ID: "lap-00", Type: "laptop", Build: "macOS 14"}}}),
		"emptyid.json":     `{"devices": [""]}`,
		"s2.json":          mustJSON(t, s2),
		"s1.json":          mustJSON(t, s1),
		"badseed.json":     mustJSON(t, badSeed),
		"badsample.json":   mustJSON(t, badSample),
		"scopeasdraw.json": mustJSON(t, map[string]any{"devices": scope}),
	})
	draw := func(args ...string) []string {
		return append([]string{"sample", "draw"}, args...)
	}
	verify := func(args ...string) []string {
		return append([]string{"sample", "verify"}, args...)
	}
	tests := []struct {
		name    string
		args    []string
		want    string
		oneLine bool
	}{
		{"missing --scope", draw("--sample", "1"), "--scope is required", true},
		{"missing file", draw("--scope", "nope.json", "--sample", "1"), "nope.json: cannot open: no such file or directory", true},
		{"bad JSON", draw("--scope", "bad.json", "--sample", "1"), "bad.json: invalid JSON: invalid character ']'", true},
		{"trailing data", draw("--scope", "trailing.json", "--sample", "1"), "trailing.json: invalid JSON: more data after the first value", true},
		{"empty file", draw("--scope", "empty.json", "--sample", "1"), "empty.json: the file is empty", true},
		{"no devices field", draw("--scope", "nodevices.json", "--sample", "1"), `nodevices.json: no "devices" field`, true},
		{"empty device list", draw("--scope", "nodev.json", "--sample", "1"), "nodev.json: devices: the list is empty", true},
		{"devices not a list", draw("--scope", "devobj.json", "--sample", "1"), "devobj.json: devices: want a list", true},
		{"id not a string", draw("--scope", "numid.json", "--sample", "1"), "numid.json: devices[0]: want {\"id\", \"type\", \"build\"} with string values: field id: got JSON number, want string", true},
		{"device without id", draw("--scope", "noid.json", "--sample", "1"), "noid.json: devices[21]: device id is empty", true},
		{"device without type", draw("--scope", "notype.json", "--sample", "1"), `notype.json: devices[21]: device "x": type "" is not one of`, true},
		{"device without build", draw("--scope", "nobuild.json", "--sample", "1"), `nobuild.json: devices[21]: device "x": build is empty`, true},
		{"unknown type", draw("--scope", "unknowntype.json", "--sample", "1"), `unknowntype.json: devices[21]: device "x": type "router" is not one of`, true},
		{"duplicate id", draw("--scope", "dup.json", "--sample", "1"), `dup.json: devices[21]: duplicate device id "lap-03" (also devices[3])`, true},
		{"unknown policy type", draw("--scope", "badpolicy.json", "--sample", "1"), `badpolicy.json: policy.test_all_types[1]: "printer" is not one of`, true},
		{"unknown --test-all-types", draw("--scope", "scope.json", "--sample", "1", "--test-all-types", "server,printer"), `--test-all-types "server,printer": test_all_types: "printer" is not one of`, true},
		{"--test-all-types conflicts with the file", draw("--scope", "policy.json", "--sample", "1", "--test-all-types", "network"), `--test-all-types "network" conflicts with policy.test_all_types ["server"] in policy.json`, true},
		{"seed not hex", draw("--scope", "scope.json", "--sample", "1", "--seed", strings.Repeat("g", 64)), `--seed: seed "gggg`, true},
		{"seed too short", draw("--scope", "scope.json", "--sample", "1", "--seed", "abcd"), `--seed: seed "abcd": want 64 hex digits (32 bytes), got 4 characters`, true},
		{"sample 3", draw("--scope", "scope.json", "--sample", "3"), `--sample: "3" is not 1 or 2`, true},
		{"sample x", draw("--scope", "scope.json", "--sample", "x"), `--sample: "x" is not 1 or 2`, true},
		{"sample missing", draw("--scope", "scope.json"), "--sample is required: 1 or 2", true},
		{"sample 2 without exclude", draw("--scope", "scope.json", "--sample", "2"), "--sample 2 needs --exclude FILE", true},
		{"exclude with sample 1", draw("--scope", "scope.json", "--sample", "1", "--exclude", "s1.json"), "--exclude s1.json: Sample 1 excludes nothing", true},
		{"exclude id not in scope", draw("--scope", "scope.json", "--sample", "2", "--exclude", "ghost.json"), `--exclude ghost.json: devices[1]: device "ghost" is not in the scope scope.json`, true},
		{"exclude device in another build", draw("--scope", "scope.json", "--sample", "2", "--exclude", "wrongbuild.json"), `--exclude wrongbuild.json: devices[0]: device "lap-00" has build "macOS 14", but "Windows 11 Pro 24H2" in the scope`, true},
		{"exclude with an empty id", draw("--scope", "scope.json", "--sample", "2", "--exclude", "emptyid.json"), "--exclude emptyid.json: devices[0]: device id is empty", true},
		{"exclude is a Sample 2 draw", draw("--scope", "scope.json", "--sample", "2", "--exclude", "s2.json"), "--exclude s2.json: sample: this is a draw of sample 2", true},
		{"exclude file missing", draw("--scope", "scope.json", "--sample", "2", "--exclude", "nope.json"), "--exclude nope.json: cannot open", true},
		{"positional argument to draw", draw("--scope", "scope.json", "--sample", "1", "extra"), `unexpected argument "extra"`, true},
		{"unknown flag", draw("--scope", "scope.json", "--sample", "1", "--colour"), "flag provided but not defined: -colour", false},
		{"verify without a draw", verify("--scope", "scope.json"), "give the recorded draw", true},
		{"verify with two draws", verify("s1.json", "s2.json", "--scope", "scope.json"), `unexpected argument "s2.json"`, true},
		{"verify without --scope", verify("s1.json"), "--scope is required", true},
		{"verify a missing draw", verify("nope.json", "--scope", "scope.json"), "nope.json: cannot open", true},
		{"verify a draw with a bad seed", verify("badseed.json", "--scope", "scope.json"), `badseed.json: seed: seed "12zz": want 64 hex digits`, true},
		{"verify a draw of sample 3", verify("badsample.json", "--scope", "scope.json"), "badsample.json: sample: 3 is not 1 or 2", true},
		{"verify a scope file given as the draw", verify("scopeasdraw.json", "--scope", "scope.json"), "scopeasdraw.json: invalid JSON: field devices: got JSON array", true},
		{"verify against a bad scope", verify("s1.json", "--scope", "dup.json"), `dup.json: devices[21]: duplicate device id "lap-03"`, true},
		{"verify with a bad exclude", verify("s2.json", "--scope", "scope.json", "--exclude", "ghost.json"), `--exclude ghost.json: devices[1]: device "ghost" is not in the scope`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, dir, tt.args...)
			if code != cmdline.ExitUsage {
				t.Errorf("exit %d, want %d (stderr %q)", code, cmdline.ExitUsage, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q does not contain %q", stderr, tt.want)
			}
			if tt.oneLine && strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr has %d lines, want one message:\n%s", strings.Count(stderr, "\n"), stderr)
			}
		})
	}
}
