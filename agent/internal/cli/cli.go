// Package cli implements the ceplus-agent command line. Each command lives in its own file
// and is listed once in commands.
package cli

import (
	"context"
	"io"

	"github.com/ceplus/ceplus/shared/cmdline"
)

const prog = "ceplus-agent"

// commands is the one list of top-level commands.
func commands() []cmdline.Command {
	return []cmdline.Command{
		{Name: "version", Summary: "print the version", Run: runVersion},
		{Name: "inventory", Summary: "inventory this system (or --root) through the signed plugins", Run: runInventory},
		{Name: "scan", Summary: "match this system against a vulnerability snapshot, without a collector (air-gapped)", Run: runScan},
		{Name: "discover", Summary: "find hosts and exposed services on the network with nmap (one run)", Run: runDiscover},
		{Name: "enrol", Summary: "enrol with a collector: key on this endpoint, certificate for a one-time token", Run: runEnrol},
		{Name: "once", Summary: "enrol, inventory, upload and wait for the acknowledgement, then remove every trace (sampled devices)", Run: runOnce},
		{Name: "simulate", Summary: "testing aid: run many real agent daemons fed recorded inventories (the demo's estate)", Run: runSimulate},
		{Name: "run", Summary: "run the agent daemon: inventory on schedule and on request, spool and upload", Run: asService(runRun)},
		{Name: "service", Summary: "install, uninstall, start or stop the Windows service (elsewhere: how systemd or launchd run the agent)", Run: runServiceCmd},
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
