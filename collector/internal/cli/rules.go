package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/ceplus/ceplus/shared/cmdline"
	"github.com/ceplus/ceplus/shared/rules"
)

const rulesProg = prog + " rules"

// runRules dispatches `ceplus-collector rules evaluate` (contract v1, docs/rules.md).
func runRules(ctx context.Context, stdio cmdline.IO, args []string) int {
	return cmdline.Dispatch(ctx, rulesProg, []cmdline.Command{
		{Name: "evaluate", Summary: "evaluate one contract v1 case (CASE.json, or - for standard input) and print the answer as JSON", Run: runRulesEvaluate},
	}, stdio, args)
}

// runRulesEvaluate reads one case and prints one JSON answer: exit 0; a malformed case prints one
// message naming the field and value on stderr, nothing on stdout, and exits 2.
func runRulesEvaluate(_ context.Context, stdio cmdline.IO, args []string) int {
	const name = rulesProg + " evaluate"
	fs := cmdline.NewFlags("evaluate", stdio)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s CASE.json|-\n\n"+
			"Evaluates one rules-contract v1 case (scheme ceplus, eucc or eiot; see shared/contracts/README.md)\n"+
			"and prints the answer as JSON. Use - to read the case from standard input.\n"+
			"Exit status: 0 answered, 2 malformed case or bad arguments, 1 output failed.\n", name)
	}
	if code, ok := cmdline.ParseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "give exactly one case: a file, or - for standard input (got %d arguments)", fs.NArg())
	}
	path := fs.Arg(0)
	var in io.Reader = stdio.Stdin
	source := "standard input"
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return cmdline.Fail(stdio, name, cmdline.ExitUsage, "cannot read the case: %v", err)
		}
		defer f.Close()
		in, source = f, path
	}
	c, err := rules.DecodeCase(in)
	if err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "%s: %v", source, err)
	}
	answer, err := rules.Evaluate(c)
	if err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "%s: %v", source, err)
	}
	var out bytes.Buffer
	if err := cmdline.PrintJSON(&out, answer); err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "encode the answer: %v", err)
	}
	if _, err := stdio.Stdout.Write(out.Bytes()); err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "write the answer: %v", err)
	}
	return cmdline.ExitOK
}
