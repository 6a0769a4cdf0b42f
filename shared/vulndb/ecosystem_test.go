package vulndb

import "testing"

func TestParseEco(t *testing.T) {
	tests := []struct {
		name, in string
		want     Eco
		wantErr  bool
	}{
		{"debian", "Debian:12", Eco{"Debian", "12"}, false},
		{"debian point release", "Debian:12.11", Eco{"Debian", "12"}, false},
		{"ubuntu lts", "Ubuntu:22.04:LTS", Eco{"Ubuntu", "22.04"}, false},
		{"ubuntu without lts", "Ubuntu:22.04", Eco{"Ubuntu", "22.04"}, false},
		{"ubuntu pro stays distinct", "Ubuntu:Pro:18.04:LTS", Eco{"Ubuntu", "Pro:18.04"}, false},
		{"alpine", "Alpine:v3.20", Eco{"Alpine", "v3.20"}, false},
		{"alpine os version", "Alpine:3.20.3", Eco{"Alpine", "v3.20"}, false},
		{"rocky", "Rocky Linux:9", Eco{"Rocky Linux", "9"}, false},
		{"rocky point", "Rocky Linux:9.4", Eco{"Rocky Linux", "9"}, false},
		{"rocky bare", "Rocky Linux", Eco{"Rocky Linux", ""}, false},
		{"red hat stream", "Red Hat:enterprise_linux:9::appstream", Eco{"Red Hat", "9"}, false},
		{"red hat eus", "Red Hat:rhel_eus:8.8::baseos", Eco{"Red Hat", "eus:8.8"}, false},
		{"pypi", "PyPI", Eco{"PyPI", ""}, false},
		{"unknown base", "NewDistro:1", Eco{}, true},
		{"empty", "", Eco{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEco(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseEco(%q) = %v, %v; want %v, err=%v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestCovers(t *testing.T) {
	tests := []struct {
		name, rec, pkg string
		want           bool
	}{
		{"same release", "Debian:12", "Debian:12", true},
		{"other release", "Debian:11", "Debian:12", false},
		{"ubuntu lts spelling", "Ubuntu:22.04:LTS", "Ubuntu:22.04", true},
		{"ubuntu pro does not cover the standard archive", "Ubuntu:Pro:22.04:LTS", "Ubuntu:22.04:LTS", false},
		{"rocky record of release 8 on a 9 host", "Rocky Linux:8", "Rocky Linux:9", false},
		{"rocky record without release covers every release", "Rocky Linux", "Rocky Linux:9", true},
		{"other base", "AlmaLinux:9", "Rocky Linux:9", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err1 := ParseEco(tt.rec)
			p, err2 := ParseEco(tt.pkg)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if got := r.Covers(p); got != tt.want {
				t.Errorf("%v.Covers(%v) = %v, want %v", r, p, got, tt.want)
			}
		})
	}
}

func TestNormName(t *testing.T) {
	for _, tt := range []struct{ name, base, in, want string }{
		{"pypi", "PyPI", "Jinja_2.Extra", "jinja-2-extra"},
		{"npm exact", "npm", "Foo_Bar", "Foo_Bar"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := NormName(tt.base, tt.in); got != tt.want {
				t.Errorf("NormName(%q, %q) = %q, want %q", tt.base, tt.in, got, tt.want)
			}
		})
	}
}
