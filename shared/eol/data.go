package eol

import (
	"bufio"
	"embed"
	"fmt"
	"io"
	"path"
	"strings"
	"sync"

	"github.com/ceplus/ceplus/shared/calendar"
)

//go:generate go run ./internal/gen -distro-info $DISTRO_INFO -endoflife $ENDOFLIFE_DATE -out data

//go:embed data/*.tsv
var dataFS embed.FS

// Period is one support period of a release.
type Period struct {
	// Name says what the period is, for example "Debian LTS".
	Name string `json:"name"`
	// End is the last day of the period; zero when Ongoing or when the source marks it ended
	// without a date.
	End calendar.Date `json:"end,omitzero"`
	// Ongoing is set when the source gives no end yet (Apple publishes none).
	Ongoing bool `json:"ongoing,omitempty"`
	// Enrolment is set for periods that need a paid enrolment (Ubuntu Pro ESM, Windows ESU):
	// they count only for a device reported as enrolled.
	Enrolment bool `json:"enrolment,omitempty"`
}

// Release is one release (cycle) of an operating system with its support periods in order.
type Release struct {
	Product  string        `json:"product"`
	Cycle    string        `json:"cycle"`
	Label    string        `json:"label"`
	Released calendar.Date `json:"released,omitzero"`
	Periods  []Period      `json:"periods"`
	// Source is the embedded data file the facts come from.
	Source string `json:"source"`
}

// table is one parsed data file: its releases by cycle.
type table struct {
	product  string
	releases map[string]Release
}

var (
	loadOnce sync.Once
	tables   map[string]table // by file name
	loadErr  error
)

func load() (map[string]table, error) {
	loadOnce.Do(func() {
		ents, err := dataFS.ReadDir("data")
		if err != nil {
			loadErr = err
			return
		}
		tables = map[string]table{}
		for _, e := range ents {
			f, err := dataFS.Open(path.Join("data", e.Name()))
			if err != nil {
				loadErr = err
				return
			}
			t, err := parseTable(e.Name(), f)
			f.Close()
			if err != nil {
				loadErr = err
				return
			}
			tables[e.Name()] = t
		}
	})
	return tables, loadErr
}

// parseTable reads a data file: "#period<TAB>key<TAB>name<TAB>always|enrolled" lines, other
// "#" comments, a header "cycle label released <period keys…>" and one row per release.
func parseTable(name string, r io.Reader) (table, error) {
	type pdef struct {
		name      string
		enrolment bool
	}
	defs := map[string]pdef{}
	var head []string
	t := table{releases: map[string]Release{}}
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		l := sc.Text()
		bad := func(format string, a ...any) error {
			return fmt.Errorf("eol data %s line %d: %s", name, line, fmt.Sprintf(format, a...))
		}
		switch {
		case strings.HasPrefix(l, "#period\t"):
			f := strings.Split(l, "\t")
			if len(f) != 4 || (f[3] != "always" && f[3] != "enrolled") {
				return t, bad("want #period<TAB>key<TAB>name<TAB>always|enrolled")
			}
			defs[f[1]] = pdef{f[2], f[3] == "enrolled"}
		case strings.HasPrefix(l, "# ") && strings.HasSuffix(l, " release lifecycle") && t.product == "":
			t.product = strings.TrimSuffix(strings.TrimPrefix(l, "# "), " release lifecycle")
		case strings.HasPrefix(l, "#") || strings.TrimSpace(l) == "":
		case head == nil:
			head = strings.Split(l, "\t")
			if len(head) < 4 || head[0] != "cycle" || head[1] != "label" || head[2] != "released" {
				return t, bad("header %q: want cycle, label, released and period columns", l)
			}
			for _, k := range head[3:] {
				if _, ok := defs[k]; !ok {
					return t, bad("column %q has no #period line", k)
				}
			}
		default:
			f := strings.Split(l, "\t")
			if len(f) != len(head) {
				return t, bad("%d fields, the header has %d", len(f), len(head))
			}
			rel := Release{Product: t.product, Cycle: f[0], Label: f[1], Source: "shared/eol/data/" + name}
			if f[2] != "" {
				d, err := calendar.ParseDate(f[2])
				if err != nil {
					return t, bad("released %q: %v", f[2], err)
				}
				rel.Released = d
			}
			for i, k := range head[3:] {
				cellv := f[3+i]
				p := Period{Name: defs[k].name, Enrolment: defs[k].enrolment}
				switch cellv {
				case "":
					continue // the release has no such period
				case "ongoing":
					p.Ongoing = true
				case "ended":
				default:
					d, err := calendar.ParseDate(cellv)
					if err != nil {
						return t, bad("%s end %q: %v", k, cellv, err)
					}
					p.End = d
				}
				rel.Periods = append(rel.Periods, p)
			}
			if _, dup := t.releases[rel.Cycle]; dup {
				return t, bad("cycle %q twice", rel.Cycle)
			}
			t.releases[rel.Cycle] = rel
		}
	}
	if err := sc.Err(); err != nil {
		return t, fmt.Errorf("eol data %s: %w", name, err)
	}
	if t.product == "" || head == nil || len(t.releases) == 0 {
		return t, fmt.Errorf("eol data %s: no title, header or releases", name)
	}
	return t, nil
}
