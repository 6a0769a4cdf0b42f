package dpkg

import (
	"bytes"
	"os"
	"testing"
)

// Real inputs captured on a Debian 12 machine, kept outside the repository. The tests that read
// them skip when they are absent.
const (
	sampleStatus     = "../../../shared/data/dpkg-status-debian12-sample"
	sampleUpgradable = "../../../shared/data/apt-upgradable-sample.txt"
)

func readSample(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("sample not available: %v", err)
	}
	return b
}

// TestParseStatusSample parses a real status file: one entry per Package field, as many
// installed as "Status: install ok installed" lines, each with a version and an architecture.
func TestParseStatusSample(t *testing.T) {
	b := readSample(t, sampleStatus)
	entries, err := parseStatus(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if want := bytes.Count(b, []byte("\nPackage: ")) + boolInt(bytes.HasPrefix(b, []byte("Package: "))); len(entries) != want {
		t.Errorf("%d entries, the file has %d Package fields", len(entries), want)
	}
	installed := 0
	for _, e := range entries {
		if e.installed() {
			installed++
		}
		if e.Version == "" || e.Arch == "" || e.SourceName == "" || e.SourceVersion == "" {
			t.Errorf("entry %+v lacks a version, architecture or source", e)
		}
	}
	if want := bytes.Count(b, []byte("Status: install ok installed\n")); installed != want {
		t.Errorf("%d installed, the file has %d installed stanzas", installed, want)
	}
	t.Logf("%d packages", len(entries))
}

// TestAptListSample parses real `apt list --upgradable` output and checks it against the
// status sample of the same machine: every upgradable package is installed at exactly the
// "upgradable from" version, and every candidate sorts at or above it.
func TestAptListSample(t *testing.T) {
	list, err := parseAptList(readSample(t, sampleUpgradable))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := parseStatus(bytes.NewReader(readSample(t, sampleStatus)))
	if err != nil {
		t.Fatal(err)
	}
	installed := map[string]string{}
	for _, e := range entries {
		if e.installed() {
			installed[e.Name] = e.Version
		}
	}
	if len(list) == 0 {
		t.Fatal("no entries parsed")
	}
	for _, u := range list {
		if v, ok := installed[u.Name]; !ok || v != u.Installed {
			t.Errorf("%s: apt says upgradable from %q, status has %q (installed %v)", u.Name, u.Installed, v, ok)
		}
		if compareVersions(u.Candidate, u.Installed) < 0 {
			t.Errorf("%s: candidate %s sorts below installed %s", u.Name, u.Candidate, u.Installed)
		}
		if u.Suites == "" || u.Arch == "" {
			t.Errorf("%+v: no suite or architecture", u)
		}
	}
	t.Logf("%d upgradable entries agree with the status sample", len(list))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
