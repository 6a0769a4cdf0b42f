package vulndb

import (
	"testing"

	"github.com/google/osv-scalibr/semantic"
)

func ev(pairs ...string) []Event {
	var out []Event
	for i := 0; i < len(pairs); i += 2 {
		switch pairs[i] {
		case "i":
			out = append(out, Event{Introduced: pairs[i+1]})
		case "f":
			out = append(out, Event{Fixed: pairs[i+1]})
		case "l":
			out = append(out, Event{LastAffected: pairs[i+1]})
		case "x":
			out = append(out, Event{Limit: pairs[i+1]})
		}
	}
	return out
}

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name, base, installed string
		aff                   Affected
		want                  bool
		wantFixed             string
	}{
		{"tilde sorts before everything", "Debian", "3.0.13-1~deb12u1~pre1",
			Affected{Ranges: []Range{{"ECOSYSTEM", ev("i", "0", "f", "3.0.13-1~deb12u1")}}}, true, "3.0.13-1~deb12u1"},
		{"tilde: at the fix", "Debian", "3.0.13-1~deb12u1",
			Affected{Ranges: []Range{{"ECOSYSTEM", ev("i", "0", "f", "3.0.13-1~deb12u1")}}}, false, ""},
		{"tilde: upstream rc below release", "Debian", "3.0.13~rc1-1",
			Affected{Ranges: []Range{{"ECOSYSTEM", ev("i", "0", "f", "3.0.13-1")}}}, true, "3.0.13-1"},
		{"epoch kept: patched", "Debian", "1:1.2.13.dfsg-3",
			Affected{Ranges: []Range{{"ECOSYSTEM", ev("i", "0", "f", "1:1.2.13.dfsg-2")}}}, false, ""},
		{"epoch kept: missing epoch is older", "Debian", "1.2.13.dfsg-3",
			Affected{Ranges: []Range{{"ECOSYSTEM", ev("i", "0", "f", "1:1.2.13.dfsg-2")}}}, true, "1:1.2.13.dfsg-2"},
		{"rpm epoch", "Rocky Linux", "1:3.0.7-16.el9_2",
			Affected{Ranges: []Range{{"ECOSYSTEM", ev("i", "0", "f", "1:3.0.7-16.el9_2")}}}, false, ""},
		{"rpm explicit zero epoch", "Red Hat", "2.34-60.el9_2.7",
			Affected{Ranges: []Range{{"ECOSYSTEM", ev("i", "0", "f", "0:2.34-60.el9_2.7")}}}, false, ""},
		{"alpine git snapshot and -r", "Alpine", "1.2.4_git20230717-r4",
			Affected{Ranges: []Range{{"ECOSYSTEM", ev("i", "0", "f", "1.2.4_git20230717-r5")}}}, true, "1.2.4_git20230717-r5"},
		{"alpine fixed", "Alpine", "1.2.4_git20230717-r5",
			Affected{Ranges: []Range{{"ECOSYSTEM", ev("i", "0", "f", "1.2.4_git20230717-r5")}}}, false, ""},
		{"introduced above", "Debian", "1.0-1",
			Affected{Ranges: []Range{{"ECOSYSTEM", ev("i", "2.0-1", "f", "2.0-3")}}}, false, ""},
		{"last_affected inclusive", "Debian", "2.0-3",
			Affected{Ranges: []Range{{"ECOSYSTEM", ev("i", "0", "l", "2.0-3")}}}, true, ""},
		{"last_affected above", "Debian", "2.0-4",
			Affected{Ranges: []Range{{"ECOSYSTEM", ev("i", "0", "l", "2.0-3")}}}, false, ""},
		{"limit", "Debian", "5.0-1",
			Affected{Ranges: []Range{{"ECOSYSTEM", ev("i", "0", "x", "5.0-1")}}}, false, ""},
		{"two branches: in the second", "PyPI", "2.1",
			Affected{Ranges: []Range{{"ECOSYSTEM", ev("i", "1.0", "f", "1.5", "i", "2.0", "f", "2.3")}}}, true, "2.3"},
		{"two branches: between", "PyPI", "1.7",
			Affected{Ranges: []Range{{"ECOSYSTEM", ev("i", "1.0", "f", "1.5", "i", "2.0", "f", "2.3")}}}, false, ""},
		{"two branches: unsorted events", "PyPI", "1.2",
			Affected{Ranges: []Range{{"ECOSYSTEM", ev("f", "2.3", "i", "2.0", "f", "1.5", "i", "1.0")}}}, true, "1.5"},
		{"smallest fix above installed", "PyPI", "1.2",
			Affected{Ranges: []Range{{"ECOSYSTEM", ev("i", "0", "f", "1.9")}, {"ECOSYSTEM", ev("i", "1.0", "f", "1.4")}}}, true, "1.4"},
		{"versions list", "Debian", "2.5.0-1", Affected{Versions: []string{"2.5.0-1"},
			Ranges: []Range{{"GIT", ev("i", "abc")}}}, true, ""},
		{"semver range with v prefix", "Go", "v0.20.0",
			Affected{Ranges: []Range{{"SEMVER", ev("i", "0", "f", "0.23.0")}}}, true, "0.23.0"},
		{"git range ignored", "Go", "v0.20.0",
			Affected{Ranges: []Range{{"GIT", ev("i", "0", "f", "deadbeef")}}}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iv, err := semantic.Parse(tt.installed, tt.base)
			if err != nil {
				t.Fatal(err)
			}
			got, fixed, err := tt.aff.Evaluate(tt.base, tt.installed, iv)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || fixed != tt.wantFixed {
				t.Errorf("Evaluate = %v, %q; want %v, %q", got, fixed, tt.want, tt.wantFixed)
			}
		})
	}
}
