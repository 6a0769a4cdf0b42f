package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ceplus/ceplus/agent/internal/sources"
	"github.com/ceplus/ceplus/shared/cmdline"
	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/match"
	"github.com/ceplus/ceplus/shared/pluginapi"
	"github.com/ceplus/ceplus/shared/vulndb"
)

// runScan is the air-gapped check: inventory this system with the signed plugins, match it
// against a vulnerability snapshot copied from a collector, and print the findings. Findings
// are data, not an error: the exit code is 0 whether or not there are any, unless
// --fail-on asks for 1 when a finding fails the device.
func runScan(ctx context.Context, stdio cmdline.IO, args []string) int {
	const name = prog + " scan"
	fs := cmdline.NewFlags("scan", stdio)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s --db DIR [--snapshot HASH] [--root DIR] [--json] [--fail-on fail]\n\n"+
			"Inventories this system (or --root) and matches it against a vulnerability snapshot, without a collector.\n"+
			"DIR is a directory of snapshots (a collector's <data>/vulndb, or the data directory itself).\n\n", name)
		fs.PrintDefaults()
	}
	db := fs.String("db", "", "`DIR` of vulnerability snapshots (required)")
	snapHash := fs.String("snapshot", "", "snapshot `HASH` (or a unique prefix) to use; default the newest")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	root := fs.String("root", "/", "filesystem `DIR` to inventory: / for this system, or a mounted image")
	plugins := fs.String("plugins", "", "`DIR` of the signed plugins (default: beside the ceplus-agent executable)")
	invFile := fs.String("inventory", "", "match this saved `FILE` (output of `inventory --json`) instead of collecting")
	timeout := fs.Duration("timeout", 2*time.Minute, "time allowed to each source")
	failOn := fs.String("fail-on", "none", "exit 1 when a finding is of this kind: `none` or fail (class fail or unsupported)")
	if code, ok := cmdline.ParseFlags(fs, args); !ok {
		return code
	}
	switch {
	case fs.NArg() > 0:
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "unexpected argument %q", fs.Arg(0))
	case *db == "":
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--db is required: the directory of vulnerability snapshots copied from a collector")
	case *failOn != "none" && *failOn != "fail":
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--fail-on %q: want none or fail", *failOn)
	case *timeout <= 0:
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--timeout must be positive, got %v", *timeout)
	}
	dir, m, err := pickSnapshot(*db, *snapHash)
	if err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "%v", err)
	}
	var inv *inventory.Inventory
	if *invFile != "" {
		inv, err = readInventory(*invFile)
		if err != nil {
			return cmdline.Fail(stdio, name, cmdline.ExitUsage, "%v", err)
		}
	} else if inv, err = collect(ctx, stdio, *root, *plugins, *timeout); err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
	}
	snap, err := vulndb.Open(ctx, dir, m.Hash)
	if err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
	}
	now := time.Now() // the test time: the matcher takes it as input
	res, err := match.New(snap, 0).Match(ctx, inv, now)
	if err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
	}
	if *asJSON {
		out := struct {
			TestedAt time.Time                `json:"tested_at"`
			Device   inventory.Device         `json:"device"`
			Sources  []inventory.SourceStatus `json:"sources"`
			Manifest scanSnapshot             `json:"snapshot_info"`
			Result   *match.Result            `json:"result"`
		}{now.UTC(), inv.Device, inv.Sources, scanSnapshot{m.Hash, m.Created, m.Records, m.Ecosystems}, res}
		if err := cmdline.PrintJSON(stdio.Stdout, out); err != nil {
			return cmdline.Fail(stdio, name, cmdline.ExitError, "write JSON: %v", err)
		}
	} else if err := printScan(stdio.Stdout, inv, m, res, now); err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "write result: %v", err)
	}
	if *failOn == "fail" && slices.ContainsFunc(res.Findings, func(f match.Finding) bool { return f.Class == match.ClassFail || f.Class == match.ClassUnsupported }) {
		return cmdline.ExitError
	}
	return cmdline.ExitOK
}

type scanSnapshot struct {
	Hash       string         `json:"hash"`
	Created    time.Time      `json:"created"`
	Records    int            `json:"records"`
	Ecosystems map[string]int `json:"ecosystems"`
}

// pickSnapshot finds the snapshot directory under db (db itself, or db/vulndb for a
// collector's data directory) and the snapshot: the one whose hash starts with want, or the
// newest.
func pickSnapshot(db, want string) (string, vulndb.Manifest, error) {
	dir := db
	if st, err := os.Stat(filepath.Join(db, "vulndb")); err == nil && st.IsDir() {
		dir = filepath.Join(db, "vulndb") // a collector's data directory
	}
	if _, err := os.Stat(dir); err != nil {
		return "", vulndb.Manifest{}, fmt.Errorf("--db %s: %w", db, err)
	}
	ms, err := vulndb.List(dir)
	if err != nil {
		return "", vulndb.Manifest{}, fmt.Errorf("--db %s: %w", db, err)
	}
	if len(ms) == 0 {
		return "", vulndb.Manifest{}, fmt.Errorf("--db %s holds no vulnerability snapshot: copy a collector's <data>/vulndb directory (see `ceplus-collector vulndb list`)", db)
	}
	if want == "" {
		return dir, ms[len(ms)-1], nil
	}
	var hits []vulndb.Manifest
	for _, m := range ms {
		if strings.HasPrefix(m.Hash, want) {
			hits = append(hits, m)
		}
	}
	switch len(hits) {
	case 0:
		return "", vulndb.Manifest{}, fmt.Errorf("--snapshot %s: no such snapshot in %s (%d there; `ceplus-collector vulndb list` names them)", want, dir, len(ms))
	case 1:
		return dir, hits[0], nil
	}
	return "", vulndb.Manifest{}, fmt.Errorf("--snapshot %s is ambiguous in %s: give more of the hash", want, dir)
}

func readInventory(path string) (*inventory.Inventory, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--inventory: %w", err)
	}
	defer f.Close()
	var inv inventory.Inventory
	if err := json.NewDecoder(f).Decode(&inv); err != nil {
		return nil, fmt.Errorf("--inventory %s is not an inventory (`ceplus-agent inventory --json` writes one): %w", path, err)
	}
	if err := inv.Validate(); err != nil {
		return nil, fmt.Errorf("--inventory %s: %w", path, err)
	}
	return &inv, nil
}

// collect inventories root through the signed plugins, as the inventory command does.
func collect(ctx context.Context, stdio cmdline.IO, root, plugins string, timeout time.Duration) (*inventory.Inventory, error) {
	rootDir, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("--root %s: %w", root, err)
	}
	if st, err := os.Stat(rootDir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("--root %s is not a directory", root)
	}
	l, err := pluginLoader(plugins, stdio.Stderr)
	if err != nil {
		return nil, err
	}
	l.Timeout, l.Expected = timeout, sources.Builtins(runtime.GOOS)
	inv, _, err := l.Inventory(ctx, pluginapi.Request{Root: rootDir}, time.Now())
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// printScan writes the human summary: device, snapshot, OS support, then one line per source
// package with its findings: installed → fixed, worst class, highest severity, the deciding
// fix date and the ids.
func printScan(w io.Writer, inv *inventory.Inventory, m vulndb.Manifest, res *match.Result, now time.Time) error {
	d := inv.Device
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "device\t%s (%s %s, %s)\n", orDash(d.Hostname), orDash(d.OSName), d.OSVersion, orDash(d.Arch))
	fmt.Fprintf(tw, "snapshot\t%s (created %s, %d records)\n", m.Hash, m.Created.Format(time.DateOnly), m.Records)
	fmt.Fprintf(tw, "tested\t%s\n", now.Format(time.RFC3339))
	switch {
	case res.OSSupport != nil:
		fmt.Fprintf(tw, "os support\t%s\n", res.OSSupport.Text())
	default:
		fmt.Fprintf(tw, "os support\tunknown: %s\n", res.OSSupportUnknown)
	}
	classes := map[match.Class]int{}
	for _, f := range res.Findings {
		classes[f.Class]++
	}
	var cs []string
	for _, c := range slices.Sorted(maps.Keys(classes)) {
		cs = append(cs, fmt.Sprintf("%s %d", c, classes[c]))
	}
	fmt.Fprintf(tw, "findings\t%d (%s)\n", len(res.Findings), orDash(strings.Join(cs, ", ")))
	fmt.Fprintf(tw, "missing updates\t%d source packages\n", len(res.MissingUpdates))
	for _, s := range inv.Sources {
		if s.Status != inventory.Succeeded {
			fmt.Fprintf(tw, "source %s\t%s: %s\n", s.Name, s.Status, oneLine(s.Errors))
		}
	}
	for _, p := range res.Problems {
		fmt.Fprintf(tw, "not checked\t%s %s (%s): %s\n", p.Package, p.Version, p.Ecosystem, p.Reason)
	}
	for _, f := range res.Findings {
		if f.Kind == match.KindUnsupported {
			fmt.Fprintf(tw, "UNSUPPORTED\t%s\n", f.Reason)
		}
	}
	groups := groupFindings(res.Findings, res.MissingUpdates)
	if len(groups) > 0 {
		fmt.Fprintf(tw, "\nSOURCE PACKAGE\tINSTALLED → FIXED\tCLASS\tSEVERITY\tFIX DATE\tIDS\n")
		for _, g := range groups {
			fmt.Fprintf(tw, "%s\t%s → %s\t%s\t%s\t%s\t%s\n", g.source, g.installed, orDash(g.fixed), g.class, orDash(g.severity), orDash(g.fixDate), orDash(shortIDs(g.ids, 6)))
		}
	}
	return tw.Flush()
}

// scanGroup is the findings of one (ecosystem, source package).
type scanGroup struct {
	eco, source, installed, fixed, severity, fixDate string
	class                                            match.Class
	rank                                             int
	ids                                              []string
	score                                            float64
}

func groupFindings(fs []match.Finding, updates []match.MissingUpdate) []scanGroup {
	fixed := map[[2]string]string{}
	for _, u := range updates {
		fixed[[2]string{u.Ecosystem, u.SourcePackage}] = u.Fixed
	}
	idx := map[[2]string]int{}
	var out []scanGroup
	for _, f := range fs {
		if f.Kind == match.KindUnsupported {
			continue
		}
		src := cmp.Or(f.SourcePackage, f.Package)
		k := [2]string{f.Ecosystem, src}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, scanGroup{eco: f.Ecosystem, source: src, installed: f.Installed, fixed: fixed[k], rank: -1, score: -1})
		}
		g := &out[i]
		g.ids = append(g.ids, f.IDs...)
		if r := classOrder(f.Class); r > g.rank {
			g.rank, g.class, g.fixDate = r, f.Class, f.FixDate
		}
		if c := f.Severity.CVSS3; c != nil && c.Score > g.score {
			g.score = c.Score
			g.severity = fmt.Sprintf("CVSS %.1f", c.Score)
		} else if g.score < 0 && f.Severity.Vendor != nil && g.severity == "" {
			g.severity = f.Severity.Vendor.Severity
		}
	}
	for i := range out {
		slices.Sort(out[i].ids)
		out[i].ids = slices.Compact(out[i].ids)
	}
	slices.SortFunc(out, func(a, b scanGroup) int {
		return cmp.Or(cmp.Compare(b.rank, a.rank), cmp.Compare(a.eco, b.eco), cmp.Compare(a.source, b.source))
	})
	return out
}

// classOrder ranks classes by how much they weigh against the device.
func classOrder(c match.Class) int {
	return slices.Index([]match.Class{match.ClassLow, match.ClassNoFix, match.ClassWithinGrace, match.ClassNeedsDecision, match.ClassFail, match.ClassUnsupported}, c)
}

func shortIDs(ids []string, n int) string {
	if len(ids) <= n {
		return strings.Join(ids, " ")
	}
	return fmt.Sprintf("%s (+%d more)", strings.Join(ids[:n], " "), len(ids)-n)
}
