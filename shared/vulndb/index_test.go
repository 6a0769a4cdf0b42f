package vulndb

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func openFixtures(t *testing.T) *Snapshot {
	t.Helper()
	dir, m := importFixtures(t)
	s, err := Open(context.Background(), dir, m.Hash)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLookupAndCheck(t *testing.T) {
	s := openFixtures(t)
	ids := func(eco, name string) []string {
		e, err := ParseEco(eco)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, x := range s.Lookup(e, name) {
			out = append(out, s.Record(x.Rec).ID)
		}
		return out
	}
	tests := []struct {
		name, eco, pkg string
		want           []string
	}{
		{"withdrawn record is out of the index", "Debian:12", "openssl", []string{"CVE-2024-0727", "DSA-9001-1"}},
		{"release 11 entry does not apply to 12", "Debian:11", "openssl", []string{"DSA-9001-1"}},
		{"unusable entries are out", "Debian:12", "glibc", nil},
		{"rocky 9 sees its own and bare records", "Rocky Linux:9", "openssl", []string{"RLSA-2022:0002", "RLSA-2023:5209"}},
		{"rocky 8 sees its own and bare records", "Rocky Linux:8", "openssl", []string{"RLSA-2022:0002", "RLSA-2023:0101"}},
		{"pypi normalised", "PyPI", "jinja2", []string{"GHSA-h5c8-rqwp-cp95"}},
		{"withdrawn go record out", "Go", "golang.org/x/net", []string{"GHSA-aaaa-bbbb-cccc", "GO-2099-0001"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ids(tt.eco, tt.pkg)); diff != "" {
				t.Errorf("Lookup (-want +got):\n%s", diff)
			}
		})
	}
	checks := []struct {
		name, eco, wantErr string
	}{
		{"present", "Debian:12", ""},
		{"absent base", "npm", "no advisories for ecosystem npm"},
		{"absent release", "Alpine:v3.20", "no advisories for ecosystem Alpine:v3.20"},
		{"ubuntu release only in pro", "Ubuntu:18.04:LTS", "Ubuntu:18.04"},
		{"bare rocky records cover a new release", "Rocky Linux:10", ""},
	}
	for _, tt := range checks {
		t.Run(tt.name, func(t *testing.T) {
			e, err := ParseEco(tt.eco)
			if err != nil {
				t.Fatal(err)
			}
			err = s.Check(e)
			if (tt.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("Check(%s) = %v, want error containing %q", tt.eco, err, tt.wantErr)
			}
		})
	}
}

func TestAliasClosure(t *testing.T) {
	s := openFixtures(t)
	group := map[string][]string{}
	for i := 0; i < s.Len(); i++ {
		group[s.Record(int32(i)).ID] = s.Group(int32(i))
	}
	tests := []struct {
		name, id string
		want     []string
	}{
		{"DSA for one CVE joins the CVE record and another distro's record", "DSA-9001-1", []string{"ALPINE-CVE-2024-0727", "CVE-2024-0727", "DSA-9001-1"}},
		{"aliases across records", "GO-2099-0001", []string{"CVE-2099-1111", "GHSA-aaaa-bbbb-cccc", "GO-2099-0001"}},
		{"USN via its single upstream record", "USN-9999-1", []string{"CVE-2024-9999", "UBUNTU-CVE-2024-9999", "USN-9999-1"}},
		{"advisory for several CVEs stays apart", "RLSA-2023:5209", []string{"RLSA-2023:5209"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, group[tt.id]); diff != "" {
				t.Errorf("group of %s (-want +got):\n%s", tt.id, diff)
			}
		})
	}
}
