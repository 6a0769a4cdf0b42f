package rules

import "fmt"

// DeviceTypes lists the device types of RULES.md §1.1 and contract v1, in display order.
var DeviceTypes = []string{"desktop", "laptop", "thin_client", "server", "mobile", "network", "other"}

// ValidDeviceType reports whether t is one of DeviceTypes.
func ValidDeviceType(t string) bool {
	for _, d := range DeviceTypes {
		if d == t {
			return true
		}
	}
	return false
}

// Device is one in-scope device as the rules see it: an identifier, a type and its build key
// (RULES.md §1.1), for example "Windows 11 Pro 24H2".
type Device struct {
	ID    string `json:"id"`
	Type  string `json:"type"`
	Build string `json:"build"`
}

// Validate returns an error naming the field and value when d cannot be used.
func (d Device) Validate() error {
	switch {
	case d.ID == "":
		return fmt.Errorf("device id is empty")
	case !ValidDeviceType(d.Type):
		return fmt.Errorf("device %q: type %q is not one of %v", d.ID, d.Type, DeviceTypes)
	case d.Build == "":
		return fmt.Errorf("device %q: build is empty", d.ID)
	}
	return nil
}

// SampleSize returns the number of devices to test for a build with n devices (RULES.md §1.2):
// 1 → 1, 2–5 → 2, 6–19 → 3, 20–60 → 4, 61 and more → 5, and 0 for an empty build.
func SampleSize(n int) int {
	switch {
	case n <= 0:
		return 0
	case n == 1:
		return 1
	case n <= 5:
		return 2
	case n <= 19:
		return 3
	case n <= 60:
		return 4
	default:
		return 5
	}
}

// SampleSizes returns the sample size per build: every device whose type is in testAllTypes,
// plus SampleSize of the number of the build's other devices (contract v1 `sample_sizes`).
func SampleSizes(devices []Device, testAllTypes []string) map[string]int {
	all := make(map[string]bool, len(testAllTypes))
	for _, t := range testAllTypes {
		all[t] = true
	}
	forced := map[string]int{}
	others := map[string]int{}
	builds := map[string]bool{}
	for _, d := range devices {
		builds[d.Build] = true
		if all[d.Type] {
			forced[d.Build]++
		} else {
			others[d.Build]++
		}
	}
	sizes := make(map[string]int, len(builds))
	for b := range builds {
		sizes[b] = forced[b] + SampleSize(others[b])
	}
	return sizes
}
