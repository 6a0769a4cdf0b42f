package dpkg

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/osv-scalibr/semantic"
)

var versionTests = []struct {
	name string
	a, b string
	want int
}{
	{"equal", "1.0-1", "1.0-1", 0},
	{"tilde before release", "1.0~rc1-1", "1.0-1", -1},
	{"tilde before end", "1.0~", "1.0", -1},
	{"double tilde", "1.0~~", "1.0~", -1},
	{"tilde in revision", "1.0-1~bpo12+1", "1.0-1", -1},
	{"deb12u tilde", "3.0.15-1~deb12u1", "3.0.14-1~deb12u2", 1},
	{"epoch wins", "1:1.0-1", "2.0-1", 1},
	{"epoch equal", "1:1.2.13.dfsg-1", "1:1.2.13.dfsg-1+deb12u1", -1},
	{"explicit zero epoch", "0:1.0-1", "1.0-1", 0},
	{"numeric not lexical", "1.10", "1.9", 1},
	{"leading zeros", "1.01", "1.1", 0},
	{"letters before symbols", "1.0a", "1.0+", -1},
	{"plus after end", "1.0+b1", "1.0", 1},
	{"binnmu", "5.2.15-2+b8", "5.2.15-2+b13", -1},
	{"no revision equals revision zero", "1.0", "1.0-0", 0},
	{"hyphen in upstream", "1.0-beta-2", "1.0-beta-10", -1},
	{"ubuntu suffix", "3.0.2-0ubuntu1.15", "3.0.2-0ubuntu1.10", 1},
	{"ubuntu tilde", "31.2~22.04", "27.14.4~22.04", 1},
	{"dates", "2024b-0+deb12u1", "2024a-0+deb12u1", 1},
	{"upgrade from deb12u to tilde", "20250419~deb12u2", "20230311+deb12u1", 1},
	{"colon in upstream", "1:2:3-1", "1:2:4-1", -1},
}

func TestCompareVersions(t *testing.T) {
	for _, tt := range versionTests {
		t.Run(tt.name, func(t *testing.T) {
			if got := compareVersions(tt.a, tt.b); got != tt.want {
				t.Errorf("compareVersions(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
			if got := compareVersions(tt.b, tt.a); got != -tt.want {
				t.Errorf("compareVersions(%q, %q) = %d, want %d", tt.b, tt.a, got, -tt.want)
			}
		})
	}
}

// TestCompareVersionsAgainstDpkg checks the table against dpkg --compare-versions itself, when
// dpkg is installed.
func TestCompareVersionsAgainstDpkg(t *testing.T) {
	if _, err := exec.LookPath("dpkg"); err != nil {
		t.Skipf("dpkg not installed: %v", err)
	}
	for _, tt := range versionTests {
		op := map[int]string{-1: "lt", 0: "eq", 1: "gt"}[tt.want]
		if err := exec.Command("dpkg", "--compare-versions", tt.a, op, tt.b).Run(); err != nil {
			t.Errorf("dpkg --compare-versions %s %s %s: %v (the table is wrong)", tt.a, op, tt.b, err)
		}
	}
}

// TestCompareVersionsAgainstOSV compares with osv-scalibr's Debian ordering (the one the
// collector's matcher uses) on the table and on every pair of adjacent versions of the dpkg
// status sample, when ../shared/data is present.
func TestCompareVersionsAgainstOSV(t *testing.T) {
	pairs := [][2]string{}
	for _, tt := range versionTests {
		pairs = append(pairs, [2]string{tt.a, tt.b})
	}
	if f, err := os.Open(sampleStatus); err == nil {
		var prev string
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "Version: "); ok {
				if prev != "" {
					pairs = append(pairs, [2]string{prev, v})
				}
				prev = v
			}
		}
		f.Close()
	}
	for _, p := range pairs {
		v, err := semantic.Parse(p[0], "Debian")
		if err != nil {
			t.Fatalf("semantic.Parse(%q): %v", p[0], err)
		}
		want, err := v.CompareStr(p[1])
		if err != nil {
			t.Fatalf("CompareStr(%q): %v", p[1], err)
		}
		if got := compareVersions(p[0], p[1]); got != sign(want) {
			t.Errorf("compareVersions(%q, %q) = %d, osv-scalibr says %d", p[0], p[1], got, want)
		}
	}
	t.Logf("%d pairs agree with osv-scalibr", len(pairs))
}

func BenchmarkCompareVersions(b *testing.B) {
	for b.Loop() {
		compareVersions("1:2.36-9+deb12u9", "1:2.36-9+deb12u10~bpo")
	}
}
