// Package sample draws the CE+ test samples (RULES.md §1.3, §1.5.4 and §1.5.7): per build, a
// uniformly random subset of the size the rules require, derived deterministically from a
// committed seed, the frozen scope hash and the sample number, so that anyone holding the scope
// and the revealed seed can re-run the draw and get the same devices. docs/sampling.md specifies
// the algorithm byte by byte, with a test vector.
package sample

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ceplus/ceplus/shared/rules"
)

// Rules that decide a build's part of a sample (BuildDraw.Rule).
const (
	// RuleDrawn: the sample size was drawn at random from the build's eligible devices.
	RuleDrawn = "drawn"
	// RuleSmallPool: Sample 2 only; fewer devices not in Sample 1 remained than the sample size,
	// so Sample 2 takes all of them (RULES.md §1.5.7).
	RuleSmallPool = "small_pool"
	// RuleRescanAll: Sample 2 only; every device of the build was in Sample 1, so Sample 2 is a
	// re-scan of the whole build (total coverage, RULES.md §1.5.7).
	RuleRescanAll = "rescan_all"
	// RuleTestAllTypes: every device of the build has a type of Policy.TestAllTypes, so all of
	// them are tested and nothing is drawn.
	RuleTestAllTypes = "test_all_types"
)

// Policy holds the sampling options of an assessment.
type Policy struct {
	// TestAllTypes lists the device types that are tested in full instead of sampled
	// (RULES.md §1.2, for example "server"). Order and repeats do not matter.
	TestAllTypes []string `json:"test_all_types"`
}

// Result is a recorded draw: everything needed to re-run and check it (Verify).
type Result struct {
	Algorithm    string   `json:"algorithm"`      // Algorithm
	Sample       int      `json:"sample"`         // 1 or 2
	Commitment   string   `json:"commitment"`     // hex SHA-256 of the seed, published before the draw
	Seed         string   `json:"seed"`           // hex seed, revealed after the draw
	ScopeHash    string   `json:"scope_hash"`     // ScopeHash of the frozen scope
	ScopeDevices int      `json:"scope_devices"`  // number of devices in the scope
	TestAllTypes []string `json:"test_all_types"` // the policy, sorted, without repeats
	// Exclude lists the Sample 1 device ids a Sample 2 draw prefers to avoid, sorted, without
	// repeats; empty for Sample 1.
	Exclude []string `json:"exclude"`
	// Builds says, per build, how its part of the sample was decided.
	Builds map[string]BuildDraw `json:"builds"`
	// Devices lists, per build, the ids of the devices to test, sorted byte-wise.
	Devices map[string][]string `json:"devices"`
}

// BuildDraw describes one build's part of a draw.
type BuildDraw struct {
	Devices int `json:"devices"` // devices of the build in the scope
	// Size is the sample size of the build (contract v1 `sample_sizes`): TestAll plus the
	// table size (rules.SampleSize) of its other devices. Sample 2 uses the same size.
	Size    int    `json:"size"`
	TestAll int    `json:"test_all"` // devices included because their type is in TestAllTypes
	Pool    int    `json:"pool"`     // devices eligible for the random part
	Drawn   int    `json:"drawn"`    // devices taken from the pool
	Rule    string `json:"rule"`     // RuleDrawn, RuleSmallPool, RuleRescanAll or RuleTestAllTypes
}

// Draw draws sample number sample (1 or 2) from the scope devices with the given seed, as
// specified in docs/sampling.md. Per build: every device whose type is in policy.TestAllTypes is
// included; of the others, rules.SampleSize(n) are chosen by a partial Fisher–Yates shuffle
// driven by a stream derived from the seed, the scope hash, the sample number and the build.
// For Sample 2, exclude holds the Sample 1 device ids: they are drawn only when too few other
// devices remain (RuleSmallPool, RuleRescanAll). exclude must be empty for Sample 1.
//
// The same arguments always give the same Result. Errors name the offending field and value:
// an invalid or duplicate device, an unknown type in the policy, a sample number other than 1 or
// 2, an excluded id that is not in the scope.
func Draw(devices []rules.Device, policy Policy, sample int, exclude []string, seed Seed) (Result, error) {
	if sample != 1 && sample != 2 {
		return Result{}, fmt.Errorf("sample: %d is not 1 or 2", sample)
	}
	if sample == 1 && len(exclude) > 0 {
		return Result{}, fmt.Errorf("exclude: Sample 1 excludes nothing, got %d device ids (exclude applies to Sample 2)", len(exclude))
	}
	testAll, err := NormalizeTypes(policy.TestAllTypes)
	if err != nil {
		return Result{}, err
	}
	sorted, err := sortScope(devices)
	if err != nil {
		return Result{}, err
	}
	excluded, excl, err := markExcluded(sorted, exclude)
	if err != nil {
		return Result{}, err
	}
	scopeSum := hashSorted(sorted)

	all := make(map[string]bool, len(testAll))
	for _, t := range testAll {
		all[t] = true
	}
	byBuild := map[string][]int{} // positions in sorted, so each build is in id order
	for i, d := range sorted {
		byBuild[d.Build] = append(byBuild[d.Build], i)
	}

	res := Result{
		Algorithm:    Algorithm,
		Sample:       sample,
		Commitment:   Commitment(seed),
		Seed:         seed.String(),
		ScopeHash:    fmt.Sprintf("%x", scopeSum),
		ScopeDevices: len(sorted),
		TestAllTypes: testAll,
		Exclude:      excl,
		Builds:       make(map[string]BuildDraw, len(byBuild)),
		Devices:      make(map[string][]string, len(byBuild)),
	}
	for build, members := range byBuild {
		var ids, others, pool []string
		for _, i := range members {
			switch d := sorted[i]; {
			case all[d.Type]:
				ids = append(ids, d.ID)
			default:
				others = append(others, d.ID)
				if !excluded[i] {
					pool = append(pool, d.ID)
				}
			}
		}
		k := rules.SampleSize(len(others))
		bd := BuildDraw{Devices: len(members), Size: len(ids) + k, TestAll: len(ids)}
		switch {
		case len(others) == 0:
			bd.Rule = RuleTestAllTypes
		case sample == 1:
			bd.Rule, bd.Pool = RuleDrawn, len(others)
			ids = append(ids, choose(others, k, newStream(seed, scopeSum, sample, build))...)
		case len(pool) >= k:
			bd.Rule, bd.Pool = RuleDrawn, len(pool)
			ids = append(ids, choose(pool, k, newStream(seed, scopeSum, sample, build))...)
		case len(pool) > 0:
			bd.Rule, bd.Pool = RuleSmallPool, len(pool)
			ids = append(ids, pool...)
		default:
			bd.Rule, bd.Pool = RuleRescanAll, len(others)
			ids = append(ids, others...)
		}
		bd.Drawn = len(ids) - bd.TestAll
		slices.Sort(ids)
		res.Builds[build] = bd
		res.Devices[build] = ids
	}
	return res, nil
}

// ValidateScope returns the error Draw would return for devices, or nil: every device must pass
// rules.Device.Validate and ids must be unique. Errors name the device by its index, as in
// "devices[3]: duplicate device id "pc-01" (also devices[0])".
func ValidateScope(devices []rules.Device) error {
	_, err := sortScope(devices)
	return err
}

// NormalizeTypes checks that every entry of a test_all_types policy is a device type and returns
// the policy sorted without repeats, as recorded in Result.TestAllTypes.
func NormalizeTypes(types []string) ([]string, error) {
	out := make([]string, 0, len(types))
	for _, t := range types {
		if !rules.ValidDeviceType(t) {
			return nil, fmt.Errorf("test_all_types: %q is not one of %v", t, rules.DeviceTypes)
		}
		out = append(out, t)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// sortScope validates devices and returns them sorted by id. Errors name the device's index.
func sortScope(devices []rules.Device) ([]rules.Device, error) {
	for i, d := range devices {
		if err := d.Validate(); err != nil {
			return nil, fmt.Errorf("devices[%d]: %w", i, err)
		}
	}
	// Sort (id, input index) pairs: the index makes the order total, so an unstable sort is
	// deterministic, and a duplicate is reported with its first occurrence.
	keys := make([]idKey, len(devices))
	for i, d := range devices {
		keys[i] = idKey{d.ID, i}
	}
	slices.SortFunc(keys, func(a, b idKey) int {
		if c := strings.Compare(a.id, b.id); c != 0 {
			return c
		}
		return a.index - b.index
	})
	sorted := make([]rules.Device, len(devices))
	for i, k := range keys {
		sorted[i] = devices[k.index]
		if i > 0 && k.id == keys[i-1].id {
			return nil, fmt.Errorf("devices[%d]: duplicate device id %q (also devices[%d])", k.index, k.id, keys[i-1].index)
		}
	}
	return sorted, nil
}

type idKey struct {
	id    string
	index int
}

// markExcluded returns, for each position of sorted, whether its id is in exclude, and the
// excluded ids sorted without repeats. Every excluded id must be in the scope.
func markExcluded(sorted []rules.Device, exclude []string) ([]bool, []string, error) {
	marked := make([]bool, len(sorted))
	ids := slices.Clone(exclude)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for _, id := range ids {
		i, found := slices.BinarySearchFunc(sorted, id, func(d rules.Device, id string) int { return strings.Compare(d.ID, id) })
		if !found {
			return nil, nil, fmt.Errorf("exclude: device id %q is not in the scope", id)
		}
		marked[i] = true
	}
	if ids == nil {
		ids = []string{}
	}
	return marked, ids, nil
}
