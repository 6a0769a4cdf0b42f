package rpm

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/pluginapi"
	rpmdb "github.com/erikvarga/go-rpmdb/pkg"
	"github.com/google/go-cmp/cmp"
)

// rpmQueryFormat is what both sides of the comparison print per package.
const rpmQueryFormat = `%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE} %{EVR} %{ARCH} %{SOURCERPM}\n`

// line formats a package of ours as rpmQueryFormat prints it.
func line(p inventory.Package) string {
	epochNum, vr, ok := strings.Cut(p.Version, ":")
	if !ok {
		epochNum, vr = "0", p.Version
	}
	srcVR := p.SourceVersion
	if _, after, ok := strings.Cut(srcVR, ":"); ok {
		srcVR = after
	}
	return fmt.Sprintf("%s %s:%s %s %s %s-%s.src.rpm", p.Name, epochNum, vr, p.Version, p.Arch, p.SourceName, srcVR)
}

// TestMatchesRPM compares the packages of every root whose database format this machine's
// rpm can read (sqlite; Berkeley DB through the bdb_ro backend) with rpm -qa on a copy of
// the database, so that rpm's lock and -shm files stay out of testdata.
func TestMatchesRPM(t *testing.T) {
	if _, err := exec.LookPath("rpm"); err != nil {
		t.Skip("rpm is not installed (apt-get install rpm): the comparison with rpm -qa is skipped")
	}
	tests := []struct {
		name, root, db, backend string
	}{
		{"sqlite", "rocky9", "var/lib/rpm/rpmdb.sqlite", "sqlite"},
		{"berkeley db with epoch", "el7-bdb", "var/lib/rpm/Packages", "bdb_ro"},
		{"berkeley db, other source name", "el8-bdb", "var/lib/rpm/Packages", "bdb_ro"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			data, err := os.ReadFile(filepath.Join("testdata/roots", tt.root, tt.db))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, filepath.Base(tt.db)), data, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("rpm", "-qa", "--dbpath", dir, "--define", "_db_backend "+tt.backend, "--qf", rpmQueryFormat)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%v: %v", cmd.Args, err)
			}
			var want []string
			for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				if !strings.HasPrefix(l, "gpg-pubkey ") {
					want = append(want, l)
				}
			}
			sort.Strings(want)

			res, err := New().Collect(context.Background(), pluginapi.Request{Root: testRoot(t, tt.root)})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range res.Packages {
				got = append(got, line(p))
			}
			sort.Strings(got)
			if len(want) == 0 {
				t.Fatal("rpm -qa listed no packages")
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("packages differ from rpm -qa (-rpm +ours):\n%s", diff)
			}
		})
	}
}

// TestMatchesGoRPMDB compares our header decoding with go-rpmdb's own on every format,
// including ndb, which this machine's rpm cannot read.
func TestMatchesGoRPMDB(t *testing.T) {
	tests := []struct{ name, root, db string }{
		{"sqlite", "rocky9", "var/lib/rpm/rpmdb.sqlite"},
		{"ndb", "sle15-ndb", "usr/lib/sysimage/rpm/Packages.db"},
		{"berkeley db", "el7-bdb", "var/lib/rpm/Packages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := testRoot(t, tt.root)
			db, err := rpmdb.Open(filepath.Join(root, tt.db))
			if err != nil {
				t.Fatal(err)
			}
			list, err := db.ListPackages()
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, p := range list {
				if p.Name == "gpg-pubkey" {
					continue
				}
				evr := p.Version + "-" + p.Release
				if p.Epoch != nil {
					evr = fmt.Sprintf("%d:%s", *p.Epoch, evr)
				}
				want = append(want, fmt.Sprintf("%s %d:%s-%s %s %s %s", p.Name, p.EpochNum(), p.Version, p.Release, evr, p.Arch, p.SourceRpm))
			}
			sort.Strings(want)
			res, err := New().Collect(context.Background(), pluginapi.Request{Root: root})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range res.Packages {
				got = append(got, line(p))
			}
			sort.Strings(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("packages differ from go-rpmdb (-go-rpmdb +ours):\n%s", diff)
			}
		})
	}
}
