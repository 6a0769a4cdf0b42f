package exposure

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/ceplus/ceplus/shared/discovery"
)

func TestDefaultCatalog(t *testing.T) {
	c := Default()
	if len(c.products) < 5 || len(c.branches) < 4 || len(c.distros) < 4 {
		t.Fatalf("embedded catalog too small: %d products, %d lifecycles, %d distros", len(c.products), len(c.branches), len(c.distros))
	}
	for vp, aliases := range c.products {
		for _, al := range aliases {
			if al.Namespace == NamespaceEOL && len(c.branches[al.Name]) == 0 {
				t.Errorf("%s maps to eol product %q, which data/eol.txt does not list", vp, al.Name)
			}
		}
	}
	for product, bs := range c.branches {
		for i := 1; i < len(bs); i++ {
			if bs[i].EOL.Before(bs[i-1].EOL) && !strings.HasPrefix(bs[i-1].Branch, "<") {
				t.Errorf("%s: branch %s ends before the older branch %s: check the dates", product, bs[i].Branch, bs[i-1].Branch)
			}
		}
	}
}

func svc(product, version, extra string, cpes ...string) discovery.Service {
	return discovery.Service{Port: 8080, Protocol: "tcp", State: "open", Name: "http", Product: product, Version: version,
		ExtraInfo: extra, CPEs: cpes, Method: "probed", Confidence: 10}
}

func TestAssess(t *testing.T) {
	today := calendar.NewDate(2026, 11, 22)
	c := Default()
	tests := []struct {
		name       string
		svc        discovery.Service
		ok         bool
		version    string
		candidates []Candidate
		branch     string // "" when no EOL entry is expected
		passed     bool
		distro     string
	}{
		{
			name: "old nginx from source: upstream candidates, branch past its end",
			svc:  svc("nginx", "1.18.0", "", "cpe:/a:igor_sysoev:nginx:1.18.0"),
			ok:   true, version: "1.18.0",
			candidates: []Candidate{{Namespace: "cpe23", Name: "f5:nginx", Version: "1.18.0"}, {Namespace: "cpe23", Name: "igor_sysoev:nginx", Version: "1.18.0"}},
			branch:     "1.18", passed: true,
		},
		{
			name: "Ubuntu's nginx: the Ubuntu package is a candidate and the EOL names the distribution",
			svc:  svc("nginx", "1.18.0", "Ubuntu", "cpe:/a:igor_sysoev:nginx:1.18.0"),
			ok:   true, version: "1.18.0",
			candidates: []Candidate{{Namespace: "cpe23", Name: "f5:nginx", Version: "1.18.0"}, {Namespace: "cpe23", Name: "igor_sysoev:nginx", Version: "1.18.0"},
				{Namespace: "Ubuntu", Name: "nginx", Version: "1.18.0", Marker: "Ubuntu"}},
			branch: "1.18", passed: true, distro: "Ubuntu",
		},
		{
			name: "current nginx stable: no lifecycle entry",
			svc:  svc("nginx", "1.30.2", "", "cpe:/a:igor_sysoev:nginx:1.30.2"),
			ok:   true, version: "1.30.2",
			candidates: []Candidate{{Namespace: "cpe23", Name: "f5:nginx", Version: "1.30.2"}, {Namespace: "cpe23", Name: "igor_sysoev:nginx", Version: "1.30.2"}},
		},
		{
			name: "ancient nginx falls in <1.18",
			svc:  svc("nginx", "1.2.9", "", "cpe:/a:igor_sysoev:nginx:1.2.9"),
			ok:   true, version: "1.2.9",
			candidates: []Candidate{{Namespace: "cpe23", Name: "f5:nginx", Version: "1.2.9"}, {Namespace: "cpe23", Name: "igor_sysoev:nginx", Version: "1.2.9"}},
			branch:     "<1.18", passed: true,
		},
		{
			name: "Debian OpenSSH: advisory candidates, no lifecycle data",
			svc: discovery.Service{Port: 22, Protocol: "tcp", State: "open", Name: "ssh", Product: "OpenSSH", Version: "9.2p1 Debian 2+deb12u3",
				ExtraInfo: "protocol 2.0", CPEs: []string{"cpe:/a:openbsd:openssh:9.2p1", "cpe:/o:linux:linux_kernel"}, Method: "probed", Confidence: 10},
			ok: true, version: "9.2p1",
			candidates: []Candidate{{Namespace: "cpe23", Name: "openbsd:openssh", Version: "9.2p1"}, {Namespace: "Debian", Name: "openssh", Version: "9.2p1", Marker: "Debian"}},
		},
		{
			name: "PHP branch ending after the assessment date is not passed",
			svc:  svc("PHP", "8.2.12", "", "cpe:/a:php:php:8.2.12"),
			ok:   true, version: "8.2.12",
			candidates: []Candidate{{Namespace: "cpe23", Name: "php:php", Version: "8.2.12"}},
			branch:     "8.2", passed: false,
		},
		{
			name: "CPE without a version: the service's version is used",
			svc:  svc("Apache httpd", "2.2.15", "(CentOS)", "cpe:/a:apache:http_server"),
			ok:   true, version: "2.2.15",
			candidates: []Candidate{{Namespace: "cpe23", Name: "apache:http_server", Version: "2.2.15"},
				{Namespace: "Red Hat", Name: "httpd", Version: "2.2.15", Marker: "CentOS"}},
			branch: "2.2", passed: true, distro: "CentOS",
		},
		{
			name: "IIS 7.5",
			svc:  svc("Microsoft IIS httpd", "7.5", "", "cpe:/a:microsoft:internet_information_services:7.5", "cpe:/o:microsoft:windows"),
			ok:   true, version: "7.5",
			candidates: []Candidate{{Namespace: "cpe23", Name: "microsoft:internet_information_services", Version: "7.5"}},
			branch:     "7.5", passed: true,
		},
		{name: "port-table guess", svc: discovery.Service{Port: 80, State: "open", Name: "http", Method: "table", Confidence: 3}},
		{name: "closed port", svc: discovery.Service{Port: 22, State: "closed", CPEs: []string{"cpe:/a:openbsd:openssh:7.4"}, Method: "probed"}},
		{name: "product not in the catalog", svc: svc("Golang net/http server", "", "", "cpe:/a:golang:go")},
		{name: "OS CPE only", svc: svc("", "", "", "cpe:/o:linux:linux_kernel")},
		{name: "word boundary: Debianish is no marker", svc: svc("nginx", "1.30.0", "Debianish", "cpe:/a:igor_sysoev:nginx:1.30.0"),
			ok: true, version: "1.30.0",
			candidates: []Candidate{{Namespace: "cpe23", Name: "f5:nginx", Version: "1.30.0"}, {Namespace: "cpe23", Name: "igor_sysoev:nginx", Version: "1.30.0"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, ok := c.Assess(tt.svc, today)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v (%+v)", ok, tt.ok, a)
			}
			if !ok {
				return
			}
			if a.Version != tt.version {
				t.Errorf("version %q, want %q", a.Version, tt.version)
			}
			if d := cmp.Diff(tt.candidates, a.Candidates); d != "" {
				t.Errorf("candidates (-want +got):\n%s", d)
			}
			switch {
			case tt.branch == "" && a.EOL != nil:
				t.Errorf("EOL %+v, want none", a.EOL)
			case tt.branch != "" && a.EOL == nil:
				t.Errorf("no EOL, want branch %s", tt.branch)
			case tt.branch != "":
				if a.EOL.Branch.Branch != tt.branch || a.EOL.Passed != tt.passed || a.EOL.Distro != tt.distro || !strings.HasPrefix(a.EOL.Source, "https://") {
					t.Errorf("EOL %+v, want branch %s passed %v distro %q with a source", a.EOL, tt.branch, tt.passed, tt.distro)
				}
				if a.Finding() != tt.passed {
					t.Errorf("Finding() = %v, want %v", a.Finding(), tt.passed)
				}
			}
			if a.Evidence.CPE == "" || a.Evidence.Method != "probed" || a.Evidence.Confidence != tt.svc.Confidence || a.Evidence.Port != tt.svc.Port {
				t.Errorf("evidence %+v does not carry nmap's CPE, method and confidence", a.Evidence)
			}
		})
	}
}

// TestAssessEOLDay: the end date itself is the first day without support.
func TestAssessEOLDay(t *testing.T) {
	c := Default()
	s := svc("nginx", "1.28.0", "", "cpe:/a:igor_sysoev:nginx:1.28.0")
	tests := []struct {
		name   string
		today  calendar.Date
		passed bool
	}{
		{name: "day before", today: calendar.NewDate(2026, 4, 13), passed: false},
		{name: "end day", today: calendar.NewDate(2026, 4, 14), passed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, ok := c.Assess(s, tt.today)
			if !ok || a.EOL == nil || a.EOL.Passed != tt.passed {
				t.Errorf("Assess on %v: %+v, want passed=%v", tt.today, a.EOL, tt.passed)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	good := "a:b | eol | x\n"
	goodEOL := "x | 1.0 | 2020-01-01 | https://example.org/\n"
	tests := []struct {
		name, products, eol, distros, want string
	}{
		{name: "products field count", products: "a:b | eol\n", want: "products line 1"},
		{name: "products no colon", products: "ab | eol | x\n", want: "vendor:product"},
		{name: "bad branch", products: good, eol: "x | 1.x | 2020-01-01 | https://example.org/\n", want: "eol line 1: branch"},
		{name: "bad date", products: good, eol: "x | 1.0 | 2020-13-01 | https://example.org/\n", want: "eol line 1"},
		{name: "no source", products: good, eol: "x | 1.0 | 2020-01-01 | example.org\n", want: "https://"},
		{name: "empty field", products: good, eol: goodEOL, distros: "Debian | \n", want: "distros line 1: field 2 is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.products), strings.NewReader(tt.eol), strings.NewReader(tt.distros))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestLeadingNumbers(t *testing.T) {
	tests := []struct {
		name, in string
		want     []int
	}{
		{name: "semver", in: "1.18.0", want: []int{1, 18, 0}},
		{name: "openssh", in: "9.2p1", want: []int{9, 2}},
		{name: "two", in: "7.5", want: []int{7, 5}},
		{name: "trailing dot", in: "2.", want: []int{2}},
		{name: "none", in: "beta", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := leadingNumbers(tt.in)
			if !cmp.Equal(got, tt.want) {
				t.Errorf("leadingNumbers(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
