package sample

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ceplus/ceplus/shared/rules"
)

// MismatchError reports that a recorded draw does not re-run to the same result; Differences says
// what differs, one item each.
type MismatchError struct {
	Differences []string
}

// Error lists the differences.
func (e *MismatchError) Error() string {
	return "the recorded draw does not verify:\n  - " + strings.Join(e.Differences, "\n  - ")
}

// Verify re-runs the recorded draw on the scope devices and compares: the commitment must be the
// SHA-256 of the seed, the scope hash must be the hash of devices, and the re-run must give the
// same policy, exclude list, per-build decisions and devices. It returns nil when everything
// matches, a *MismatchError listing every difference otherwise, and another error when the
// recorded seed cannot be decoded at all.
func Verify(recorded Result, devices []rules.Device) error {
	seed, err := ParseSeed(recorded.Seed)
	if err != nil {
		return fmt.Errorf("recorded draw: %w", err)
	}
	var diffs []string
	add := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }

	if recorded.Algorithm != Algorithm {
		add("algorithm: recorded %q, this verifier implements %q", recorded.Algorithm, Algorithm)
	}
	if c := Commitment(seed); !strings.EqualFold(recorded.Commitment, c) {
		add("commitment: recorded %s is not the SHA-256 of the recorded seed (%s)", recorded.Commitment, c)
	}
	// Hash the scope on its own so that a changed scope is named even when it no longer draws.
	if h := ScopeHash(devices); !strings.EqualFold(recorded.ScopeHash, h) {
		add("scope_hash: recorded %s, the scope given hashes to %s (the scope differs)", recorded.ScopeHash, h)
	}
	if recorded.Algorithm != Algorithm {
		return &MismatchError{Differences: diffs}
	}
	rerun, err := Draw(devices, Policy{TestAllTypes: recorded.TestAllTypes}, recorded.Sample, recorded.Exclude, seed)
	if err != nil {
		add("re-running the draw failed: %v", err)
		return &MismatchError{Differences: diffs}
	}
	if recorded.ScopeDevices != rerun.ScopeDevices {
		add("scope_devices: recorded %d, the scope given has %d", recorded.ScopeDevices, rerun.ScopeDevices)
	}
	if !slices.Equal(nonNil(recorded.TestAllTypes), rerun.TestAllTypes) {
		add("test_all_types: recorded %q, want it sorted without repeats: %q", recorded.TestAllTypes, rerun.TestAllTypes)
	}
	if !slices.Equal(nonNil(recorded.Exclude), rerun.Exclude) {
		add("exclude: recorded %q, want it sorted without repeats: %q", recorded.Exclude, rerun.Exclude)
	}
	builds := slices.Sorted(maps.Keys(rerun.Devices))
	for b := range recorded.Devices {
		if _, ok := rerun.Devices[b]; !ok {
			builds = append(builds, b)
		}
	}
	for b := range recorded.Builds {
		if _, ok := rerun.Builds[b]; !ok && !slices.Contains(builds, b) {
			builds = append(builds, b)
		}
	}
	for _, b := range builds {
		got, ok := recorded.Devices[b]
		want, inScope := rerun.Devices[b]
		switch {
		case !inScope:
			add("devices: recorded build %q is not in the scope", b)
			continue
		case !ok:
			add("devices: build %q is missing from the recorded draw; the re-run gives %q", b, want)
		case !slices.Equal(got, want):
			add("devices of build %q: recorded %q, the re-run gives %q", b, got, want)
		}
		if gb, ok := recorded.Builds[b]; !ok {
			add("builds: build %q is missing from the recorded draw", b)
		} else if wb := rerun.Builds[b]; gb != wb {
			add("builds[%q]: recorded %+v, the re-run gives %+v", b, gb, wb)
		}
	}
	if len(diffs) > 0 {
		return &MismatchError{Differences: diffs}
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
