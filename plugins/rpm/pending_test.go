package rpm

import (
	"testing"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestPendingUpdates(t *testing.T) {
	repo := func(id string, pkgs []available, advs ...advisory) repoMeta {
		return repoMeta{Repo: cachedRepo{ID: id}, Packages: pkgs, Advisories: advs}
	}
	tests := []struct {
		name      string
		installed []installedBuild
		metas     []repoMeta
		want      []inventory.PendingUpdate
	}{
		{
			name: "several installed kernels compare the newest",
			installed: []installedBuild{
				{"kernel", "x86_64", "5.14.0-362.el9"}, {"kernel", "x86_64", "5.14.0-427.el9"}, {"kernel", "x86_64", "5.14.0-284.el9"},
			},
			metas: []repoMeta{repo("baseos", []available{{"kernel", "x86_64", "0", "5.14.0", "362.el9"}, {"kernel", "x86_64", "0", "5.14.0", "503.el9"}})},
			want:  []inventory.PendingUpdate{{Name: "kernel", Arch: "x86_64", Installed: "5.14.0-427.el9", Candidate: "5.14.0-503.el9", Origin: "baseos"}},
		},
		{
			name:      "newest across repositories, other arch ignored",
			installed: []installedBuild{{"glibc", "x86_64", "2.34-60.el9"}},
			metas: []repoMeta{
				repo("appstream", []available{{"glibc", "i686", "0", "2.34", "99.el9"}}),
				repo("baseos", []available{{"glibc", "x86_64", "0", "2.34", "83.el9"}}),
				repo("extras", []available{{"glibc", "x86_64", "0", "2.34", "61.el9"}}),
			},
			want: []inventory.PendingUpdate{{Name: "glibc", Arch: "x86_64", Installed: "2.34-60.el9", Candidate: "2.34-83.el9", Origin: "baseos"}},
		},
		{
			name:      "noarch replaces arch-specific",
			installed: []installedBuild{{"python3-foo", "x86_64", "1.0-1.el9"}},
			metas:     []repoMeta{repo("appstream", []available{{"python3-foo", "noarch", "0", "1.1", "1.el9"}})},
			want:      []inventory.PendingUpdate{{Name: "python3-foo", Arch: "x86_64", Installed: "1.0-1.el9", Candidate: "1.1-1.el9", Origin: "appstream"}},
		},
		{
			name:      "epoch beats a higher version",
			installed: []installedBuild{{"openssl", "x86_64", "1:3.0.7-16.el9_2"}},
			metas:     []repoMeta{repo("baseos", []available{{"openssl", "x86_64", "0", "3.2.0", "1.el9"}})},
		},
		{
			name:      "explicit epoch 0 installed equals repository build without epoch",
			installed: []installedBuild{{"foo", "x86_64", "0:1.0-2.el9"}},
			metas:     []repoMeta{repo("baseos", []available{{"foo", "x86_64", "0", "1.0", "2.el9"}})},
		},
		{
			name:      "not installed is not pending",
			installed: []installedBuild{{"bar", "x86_64", "1-1"}},
			metas:     []repoMeta{repo("baseos", []available{{"foo", "x86_64", "0", "2", "1"}})},
		},
		{
			name:      "advisories between installed and candidate classify",
			installed: []installedBuild{{"curl", "x86_64", "7.76.1-23.el9"}},
			metas: []repoMeta{repo("baseos",
				[]available{{"curl", "x86_64", "0", "7.76.1", "29.el9"}},
				advisory{ID: "RLSA-old", Type: "security", Severity: "Critical", Issued: "2023-01-01",
					Packages: []available{{"curl", "x86_64", "0", "7.76.1", "23.el9"}}},
				advisory{ID: "RLSA-mid", Type: "security", Severity: "Moderate", Issued: "2023-05-01", CVEs: []string{"CVE-2023-2", "CVE-2023-1"},
					Packages: []available{{"curl", "x86_64", "0", "7.76.1", "26.el9"}}},
				advisory{ID: "RLBA-new", Type: "bugfix", Issued: "2023-09-01", Title: "curl bug fix",
					Packages: []available{{"curl", "x86_64", "0", "7.76.1", "29.el9"}, {"curl", "i686", "0", "7.76.1", "29.el9"}}},
				advisory{ID: "RLSA-future", Type: "security", Severity: "Important",
					Packages: []available{{"curl", "x86_64", "0", "7.76.1", "31.el9"}}},
			)},
			want: []inventory.PendingUpdate{{Name: "curl", Arch: "x86_64", Installed: "7.76.1-23.el9", Candidate: "7.76.1-29.el9", Origin: "baseos",
				Security: true, Severity: "Moderate", Released: "2023-09-01", Title: "curl bug fix",
				IDs: []string{"RLBA-new", "RLSA-mid", "CVE-2023-1", "CVE-2023-2"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pendingUpdates(tt.installed, tt.metas)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("pending (-want +got):\n%s", diff)
			}
		})
	}
}
