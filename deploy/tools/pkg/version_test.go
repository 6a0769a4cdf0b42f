package main

import (
	"regexp"
	"testing"
)

func TestPackageVersion(t *testing.T) {
	valid := regexp.MustCompile(`^[0-9][0-9A-Za-z.+~]*$`)
	tests := []struct {
		name, describe, want string
	}{
		{"release tag", "v1.2.0-0-g1a2b3c4", "1.2.0"},
		{"after a tag", "v1.2.0-3-g1a2b3c4", "1.2.0+3.g1a2b3c4"},
		{"after a tag, modified", "v1.2.0-3-g1a2b3c4-dirty", "1.2.0+3.g1a2b3c4.dirty"},
		{"on a tag, modified", "v1.2.0-0-g1a2b3c4-dirty", "1.2.0+dirty"},
		{"no tag", "01d4d52", "0.1.0~dev+g01d4d52"},
		{"no tag, modified", "01d4d52-dirty\n", "0.1.0~dev+g01d4d52.dirty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := packageVersion(tt.describe, "0.1.0")
			if err != nil || got != tt.want {
				t.Fatalf("packageVersion(%q) = %q, %v; want %q", tt.describe, got, err, tt.want)
			}
			if !valid.MatchString(got) {
				t.Errorf("%q is not a valid Debian and RPM version", got)
			}
		})
	}
	if v, err := packageVersion("release-candidate", "0.1.0"); err == nil {
		t.Errorf("packageVersion of a non-version tag = %q, want an error", v)
	}
}
