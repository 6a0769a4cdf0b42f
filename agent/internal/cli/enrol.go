package cli

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/ceplus/ceplus/agent/internal/enrol"
	"github.com/ceplus/ceplus/shared/cmdline"
	"github.com/ceplus/ceplus/shared/version"
)

func runEnrol(ctx context.Context, stdio cmdline.IO, args []string) int {
	const name = prog + " enrol"
	fs := cmdline.NewFlags("enrol", stdio)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s [--state DIR] --collector HOST:PORT --token T --ca-sha256 FP\n\n"+
			"Generates this endpoint's key (it never leaves the state directory), and obtains a certificate from the\n"+
			"collector with a one-time token. The collector is trusted only if its CA matches --ca-sha256.\n\n", name)
		fs.PrintDefaults()
	}
	state := fs.String("state", enrol.DefaultStateDir(), "state `DIR` for the key, certificate and spool")
	collector := fs.String("collector", "", "the collector's QUIC address `HOST:PORT`")
	token := fs.String("token", "", "enrolment token from 'ceplus-collector token create' (or $CEPLUS_ENROL_TOKEN)")
	pin := fs.String("ca-sha256", "", "SHA-256 `FP` of the collector CA (printed by 'ceplus-collector serve', in DATA/ca.sha256)")
	hostname := fs.String("hostname", "", "hostname to declare (default: this system's)")
	force := fs.Bool("force", false, "replace an existing enrolment in --state")
	timeout := fs.Duration("timeout", 30*time.Second, "time allowed to reach the collector")
	if code, ok := cmdline.ParseFlags(fs, args); !ok {
		return code
	}
	if *token == "" {
		*token = os.Getenv("CEPLUS_ENROL_TOKEN")
	}
	switch {
	case fs.NArg() > 0:
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "unexpected argument %q", fs.Arg(0))
	case *collector == "":
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--collector HOST:PORT is required")
	case *token == "":
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--token is required (from 'ceplus-collector token create')")
	case *pin == "":
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--ca-sha256 is required: the collector's CA fingerprint, so that no other server can pose as it")
	}
	host := *hostname
	if host == "" {
		var err error
		if host, err = os.Hostname(); err != nil {
			return cmdline.Fail(stdio, name, cmdline.ExitError, "read this system's hostname: %v; pass --hostname", err)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	id, err := enrol.Enrol(ctx, enrol.Request{StateDir: *state, Collector: *collector, Token: *token, CAPin: *pin,
		Hostname: host, AgentVersion: version.Version, Force: *force})
	if err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
	}
	fmt.Fprintf(stdio.Stdout, "enrolled as agent %s (certificate valid until %s); start it with: %s run --state %s\n",
		id.ID, id.Leaf.NotAfter.Format(time.RFC3339), prog, *state)
	return cmdline.ExitOK
}
