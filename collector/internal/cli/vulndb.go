package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ceplus/ceplus/collector/internal/serve"
	"github.com/ceplus/ceplus/shared/cmdline"
	"github.com/ceplus/ceplus/shared/vulndb"
)

func runVulnDB(ctx context.Context, stdio cmdline.IO, args []string) int {
	return cmdline.Dispatch(ctx, prog+" vulndb", []cmdline.Command{
		{Name: "import", Summary: "import OSV all.zip files or directories of OSV JSON records into a new snapshot", Run: runVulnDBImport},
		{Name: "list", Summary: "list the vulnerability snapshots", Run: runVulnDBList},
	}, stdio, args)
}

// vulndbDir is where the collector keeps snapshots under its data directory.
func vulndbDir(data string) string { return filepath.Join(data, serve.VulnDBDir) }

func runVulnDBImport(ctx context.Context, stdio cmdline.IO, args []string) int {
	const name = prog + " vulndb import"
	fs := cmdline.NewFlags("vulndb import", stdio)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s [--data DIR] [--json] PATH…\n\n"+
			"Imports OSV all.zip dumps, directories of OSV *.json records and single records into an immutable,\n"+
			"content-hashed snapshot under DIR/vulndb/, and prints its hash, record counts and problems.\n\n", name)
		fs.PrintDefaults()
	}
	data := fs.String("data", ".", "collector data `DIR`; snapshots are kept in DIR/vulndb")
	asJSON := fs.Bool("json", false, "print the snapshot manifest as JSON")
	if code, ok := cmdline.ParseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "no PATH: name OSV all.zip files or directories of OSV JSON records")
	}
	progress := func(p vulndb.Progress) {
		fmt.Fprintf(stdio.Stderr, "%s: %d documents read (%s)\n", name, p.Documents, p.Source)
	}
	m, err := vulndb.Import(ctx, vulndbDir(*data), fs.Args(), time.Now().UTC(), progress)
	if errors.Is(err, vulndb.ErrSource) {
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "%v", err)
	}
	if err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
	}
	if *asJSON {
		if err := cmdline.PrintJSON(stdio.Stdout, m); err != nil {
			return cmdline.Fail(stdio, name, cmdline.ExitError, "write JSON: %v", err)
		}
		return cmdline.ExitOK
	}
	if err := printImport(stdio.Stdout, m, vulndbDir(*data)); err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "write summary: %v", err)
	}
	return cmdline.ExitOK
}

// maxProblemIDs bounds the ids printed per problem reason in the human summary (--json has all).
const maxProblemIDs = 10

// printImport writes the snapshot hash, the record counts per ecosystem and the problems
// grouped by level and reason, with the record ids.
func printImport(w io.Writer, m vulndb.Manifest, dir string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "snapshot\t%s\n", m.Hash)
	fmt.Fprintf(tw, "directory\t%s\n", m.Dir(dir))
	fmt.Fprintf(tw, "records\t%d (%d withdrawn, %d duplicate documents)\n", m.Records, m.Withdrawn, m.Duplicates)
	for _, s := range m.Sources {
		fmt.Fprintf(tw, "source\t%s (%s, %d documents, sha256 %s)\n", s.Path, s.Kind, s.Records, s.SHA256)
	}
	fmt.Fprintf(tw, "\nECOSYSTEM\tRECORDS\n")
	for _, e := range slices.Sorted(maps.Keys(m.Ecosystems)) {
		fmt.Fprintf(tw, "%s\t%d\n", e, m.Ecosystems[e])
	}
	for _, e := range slices.Sorted(maps.Keys(m.UnknownEcosystems)) {
		fmt.Fprintf(tw, "%s (unknown, not matched)\t%d entries\n", e, m.UnknownEcosystems[e])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return printProblems(w, m.Problems)
}

// printProblems groups the problems by level, then by reason (ids differ, reasons repeat).
func printProblems(w io.Writer, ps []vulndb.Problem) error {
	count := map[string]int{}
	for _, p := range ps {
		count[p.Level]++
	}
	fmt.Fprintf(w, "\nproblems: %d errors (records or entries out of matching), %d notices\n", count[vulndb.LevelError], count[vulndb.LevelNotice])
	for _, level := range []string{vulndb.LevelError, vulndb.LevelNotice} {
		byReason := map[string][]string{}
		for _, p := range ps {
			if p.Level != level {
				continue
			}
			id := p.ID
			if id == "" {
				id = p.Source
			}
			r := genericReason(p)
			byReason[r] = append(byReason[r], id)
		}
		for _, r := range slices.Sorted(maps.Keys(byReason)) {
			ids := byReason[r]
			more := ""
			if len(ids) > maxProblemIDs {
				more = fmt.Sprintf(" (+%d more)", len(ids)-maxProblemIDs)
				ids = ids[:maxProblemIDs]
			}
			if _, err := fmt.Fprintf(w, "  %s: %s: %s%s\n", level, r, strings.Join(ids, " "), more); err != nil {
				return err
			}
		}
	}
	return nil
}

// genericReason is the problem's reason without the parts that name one record, so that
// problems group: "affected[3]: …" becomes "affected[]: …".
func genericReason(p vulndb.Problem) string {
	r := p.Reason
	if strings.HasPrefix(r, "affected[") {
		if i := strings.Index(r, "]"); i > 0 {
			r = "affected[]" + r[i+1:]
		}
	}
	return r
}

func runVulnDBList(ctx context.Context, stdio cmdline.IO, args []string) int {
	const name = prog + " vulndb list"
	fs := cmdline.NewFlags("vulndb list", stdio)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s [--data DIR] [--json]\n\nLists the vulnerability snapshots under DIR/vulndb, oldest first.\n\n", name)
		fs.PrintDefaults()
	}
	data := fs.String("data", ".", "collector data `DIR`; snapshots are kept in DIR/vulndb")
	asJSON := fs.Bool("json", false, "print the manifests as JSON")
	if code, ok := cmdline.ParseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "unexpected argument %q", fs.Arg(0))
	}
	if err := ctx.Err(); err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
	}
	ms, err := vulndb.List(vulndbDir(*data))
	if err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
	}
	if ms == nil {
		ms = []vulndb.Manifest{}
	}
	if *asJSON {
		if err := cmdline.PrintJSON(stdio.Stdout, ms); err != nil {
			return cmdline.Fail(stdio, name, cmdline.ExitError, "write JSON: %v", err)
		}
		return cmdline.ExitOK
	}
	if len(ms) == 0 {
		fmt.Fprintf(stdio.Stdout, "no snapshots in %s: import OSV data with `%s vulndb import --data %s PATH…`\n", vulndbDir(*data), prog, *data)
		return cmdline.ExitOK
	}
	tw := tabwriter.NewWriter(stdio.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "SNAPSHOT\tCREATED\tRECORDS\tWITHDRAWN\tPROBLEMS\tECOSYSTEMS\n")
	for _, m := range ms {
		var ecos []string
		for _, e := range slices.Sorted(maps.Keys(m.Ecosystems)) {
			ecos = append(ecos, fmt.Sprintf("%s %d", e, m.Ecosystems[e]))
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\n", m.Hash, m.Created.Format(time.RFC3339), m.Records, m.Withdrawn, len(m.Problems), strings.Join(ecos, ", "))
	}
	if err := tw.Flush(); err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "write list: %v", err)
	}
	return cmdline.ExitOK
}
