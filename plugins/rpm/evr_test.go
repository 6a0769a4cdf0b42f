package rpm

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

func TestFormatEVR(t *testing.T) {
	one, zero := int32(1), int32(0)
	tests := []struct {
		name    string
		epoch   *int32
		v, r    string
		want    string
		repoEpo string
		repo    string
	}{
		{"epoch 1", &one, "3.0.7", "16.el9_2", "1:3.0.7-16.el9_2", "1", "1:3.0.7-16.el9_2"},
		{"explicit epoch 0 kept", &zero, "1.0", "2.el9", "0:1.0-2.el9", "0", "1.0-2.el9"},
		{"no epoch", nil, "1.2~rc1", "1.el9", "1.2~rc1-1.el9", "", "1.2~rc1-1.el9"},
		{"no release", nil, "1.0", "", "1.0", "", "1.0"},
		{"odd repo epoch kept visible", nil, "1", "1", "1-1", "x", "x:1-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := formatEVR(tt.epoch, tt.v, tt.r); got != tt.want {
				t.Errorf("formatEVR = %q, want %q", got, tt.want)
			}
			if got := repoEVR(tt.repoEpo, tt.v, tt.r); got != tt.repo {
				t.Errorf("repoEVR(%q) = %q, want %q", tt.repoEpo, got, tt.repo)
			}
		})
	}
}

func TestParseSourceRPM(t *testing.T) {
	tests := []struct {
		name, in, wantName, wantVersion string
		wantErr                         bool
	}{
		{"simple", "openssl-3.0.7-16.el9_2.src.rpm", "openssl", "3.0.7-16.el9_2", false},
		{"dashes in name", "python3-pip-wheel-21.2.3-6.el9.src.rpm", "python3-pip-wheel", "21.2.3-6.el9", false},
		{"tilde and caret", "foo-bar-1.0~rc1^git2-1.fc39.src.rpm", "foo-bar", "1.0~rc1^git2-1.fc39", false},
		{"nosrc", "kernel-firmware-1-2.nosrc.rpm", "kernel-firmware", "1-2", false},
		{"not a source rpm", "openssl-3.0.7-16.el9_2.x86_64.rpm", "", "", true},
		{"no version", "openssl.src.rpm", "", "", true},
		{"no release", "openssl-3.src.rpm", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, v, err := parseSourceRPM(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if n != tt.wantName || v != tt.wantVersion {
				t.Errorf("parseSourceRPM(%q) = %q, %q; want %q, %q", tt.in, n, v, tt.wantName, tt.wantVersion)
			}
		})
	}
}

// evrCases are ordered pairs (a, b, sign of a compared with b).
var evrCases = []struct {
	name string
	a, b string
	want int
}{
	{"equal", "1.0-1", "1.0-1", 0},
	{"missing epoch is 0", "0:1.0-1", "1.0-1", 0},
	{"epoch wins over version", "1:1.0-1", "2.0-1", 1},
	{"dropped epoch misorders", "3.0.7-17.el9_2", "1:3.0.7-16.el9_2", -1},
	{"numeric segments", "1.10-1", "1.9-1", 1},
	{"leading zeros", "1.010-1", "1.10-1", 0},
	{"tilde before release", "1.2~rc1-1.el9", "1.2-1.el9", -1},
	{"tilde before tilde-less", "1.0~rc1", "1.0", -1},
	{"two tildes", "1.0~~", "1.0~", -1},
	{"caret after base", "1.0^git1", "1.0", 1},
	{"caret before next version", "1.0^git1", "1.0.1", -1},
	{"caret after tilde", "1.0^", "1.0~", 1},
	{"release", "3.0.7-17.el9_2", "3.0.7-16.el9_2", 1},
	{"letters before digits", "1.0a", "1.01", -1},
	{"alpha compare", "1.0b", "1.0a", 1},
	{"el9 minor release", "1.0-1.el9_2.1", "1.0-1.el9_2", 1},
}

func TestCompareEVR(t *testing.T) {
	for _, tt := range evrCases {
		t.Run(tt.name, func(t *testing.T) {
			if got := compareEVR(tt.a, tt.b); sign(got) != tt.want {
				t.Errorf("compareEVR(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
			if got := compareEVR(tt.b, tt.a); sign(got) != -tt.want {
				t.Errorf("compareEVR(%q, %q) = %d, want %d", tt.b, tt.a, got, -tt.want)
			}
		})
	}
}

// TestCompareEVRMatchesRPM checks the same cases against this machine's rpm (rpm.vercmp in
// its embedded Lua, which is rpmvercmp on full EVR strings).
func TestCompareEVRMatchesRPM(t *testing.T) {
	if _, err := exec.LookPath("rpm"); err != nil {
		t.Skip("rpm is not installed (apt-get install rpm): the comparison with rpm.vercmp is skipped")
	}
	var script strings.Builder
	for _, tt := range evrCases {
		script.WriteString("print(rpm.vercmp('" + tt.a + "', '" + tt.b + "') .. ' ')\n")
	}
	out, err := exec.Command("rpm", "--eval", "%{lua:"+script.String()+"}").Output()
	if err != nil {
		t.Fatalf("rpm --eval: %v", err)
	}
	lines := strings.Fields(string(out))
	if len(lines) != len(evrCases) {
		t.Fatalf("rpm printed %d results for %d cases: %q", len(lines), len(evrCases), out)
	}
	for i, tt := range evrCases {
		n, err := strconv.Atoi(lines[i])
		if err != nil {
			t.Fatal(err)
		}
		if sign(n) != sign(compareEVR(tt.a, tt.b)) {
			t.Errorf("%s: rpm.vercmp(%q, %q) = %d, compareEVR = %d", tt.name, tt.a, tt.b, n, compareEVR(tt.a, tt.b))
		}
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}
