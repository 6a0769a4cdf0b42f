// Package cli implements the ceplus-collector command line. Each command lives in its own file
// and is listed once in commands.
package cli

import (
	"context"
	"io"

	"github.com/ceplus/ceplus/shared/cmdline"
)

const prog = "ceplus-collector"

// commands is the one list of top-level commands.
func commands() []cmdline.Command {
	return []cmdline.Command{
		{Name: "version", Summary: "print the version", Run: runVersion},
		{Name: "sample", Summary: "draw and verify the CE+ test samples (docs/sampling.md)", Run: runSample},
		{Name: "rules", Summary: "evaluate a CE+, EUCC or e-IoT case with the rules engine (docs/rules.md)", Run: runRules},
		{Name: "serve", Summary: "run the collector: QUIC listener for agents and the HTTP API", Run: runServe},
		{Name: "token", Summary: "create enrolment tokens and API tokens with a role", Run: runToken},
		{Name: "assessment", Summary: "run a CE+ assessment through the collector API (docs/api.md)", Run: runAssessment},
		{Name: "agents", Summary: "list, revoke and scan enrolled agents", Run: runAgents},
		{Name: "vulndb", Summary: "import OSV vulnerability data into snapshots and list them (docs/vulndb.md)", Run: runVulnDB},
		{Name: "register", Summary: "keep the vulnerability-handling register of EUCC and e-IoT-SCS certified products (docs/register.md)", Run: runRegister},
	}
}

// Run executes the command line args (args[0] is the program path) and returns the exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	stdio := cmdline.IO{Stdin: stdin, Stdout: stdout, Stderr: stderr}
	if len(args) > 0 {
		args = args[1:]
	}
	return cmdline.Dispatch(ctx, prog, commands(), stdio, args)
}
