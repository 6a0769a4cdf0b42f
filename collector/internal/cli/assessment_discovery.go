package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/ceplus/ceplus/collector/internal/assess"
	"github.com/ceplus/ceplus/shared/cmdline"
)

func runAssessmentScanner(ctx context.Context, stdio cmdline.IO, args []string) int {
	return cmdline.Dispatch(ctx, assessmentProg+" scanner", []cmdline.Command{
		{Name: "add", Summary: "mark an enrolled agent as a scanner with an allow-list: 'scanner add ID AGENT --allow 10.1.0.0/16'", Run: runScannerAdd},
		{Name: "remove", Summary: "withdraw an agent's scanner mark", Run: runScannerRemove},
		{Name: "list", Summary: "list the assessment's scanners and their allow-lists", Run: runScannerList},
	}, stdio, args)
}

func runAssessmentDiscovery(ctx context.Context, stdio cmdline.IO, args []string) int {
	return cmdline.Dispatch(ctx, assessmentProg+" discovery", []cmdline.Command{
		{Name: "run", Summary: "run nmap discovery on a scanner agent inside its allow-list, with progress", Run: runDiscoveryRun},
		{Name: "list", Summary: "list the discovery runs and the hosts marked out of scope", Run: runDiscoveryList},
		{Name: "show", Summary: "show a run's hosts and services", Run: runDiscoveryShow},
		{Name: "reconcile", Summary: "compare a run with the scope: hosts in no scope entry, devices not seen, counts per build", Run: runDiscoveryReconcile},
		{Name: "add", Summary: "add a found host to the scope (until Sample 1 is committed)", Run: runDiscoveryAdd},
		{Name: "exclude", Summary: "mark a found host out of scope with a reason", Run: runDiscoveryExclude},
		{Name: "exposure", Summary: "list a run's exposure findings per host (unverified leads apart)", Run: runDiscoveryExposure},
	}, stdio, args)
}

// listFlag collects comma-separated values from a repeatable flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	*l = append(*l, splitList(s)...)
	return nil
}

// parseBetween is parse with min to max positional arguments.
func (c *apiCmd) parseBetween(args []string, lo, hi int) (int, bool) {
	var pos []string
	for {
		if code, ok := cmdline.ParseFlags(c.fs, args); !ok {
			return code, false
		}
		rest := c.fs.Args()
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	if len(pos) < lo || len(pos) > hi {
		c.fs.Usage()
		return cmdline.Fail(c.stdio, c.name, cmdline.ExitUsage, "want %d to %d arguments, got %d: %q", lo, hi, len(pos), pos), false
	}
	for len(pos) < hi {
		pos = append(pos, "latest")
	}
	code, ok := c.parse(nil, 0)
	c.args = pos
	return code, ok
}

func (c *apiCmd) discovery(rest string) string { return c.path("/discovery" + rest) }

func runScannerAdd(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newAPICmd("scanner add", stdio, "ID AGENT --allow PREFIX[,PREFIX…] [--json]\n\nMarks an enrolled agent (run with 'ceplus-agent run --discovery') as a scanner of the assessment;\n"+
		"discovery jobs it runs may only target addresses inside the allow-list. Marking it again replaces the list.")
	var allow listFlag
	c.fs.Var(&allow, "allow", "CIDR `prefixes` or addresses the scanner may scan (comma-separated, repeatable)")
	if code, ok := c.parse(args, 2); !ok {
		return code
	}
	var sc assess.ScannerAgent
	body, err := jsonBody(assess.ScannerRequest{Agent: c.args[1], Allow: allow})
	if err != nil {
		return c.fail(err)
	}
	return c.call(ctx, "POST", c.discovery("/scanners"), body, "application/json", &sc, func() {
		fmt.Fprintf(stdio.Stdout, "scanner %s (%s) may scan %s\n", sc.Agent[:12], dash(sc.Hostname), prefixes(sc))
	})
}

func runScannerRemove(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newAPICmd("scanner remove", stdio, "ID AGENT [--json]")
	if code, ok := c.parse(args, 2); !ok {
		return code
	}
	return c.call(ctx, "DELETE", c.discovery("/scanners/"+url.PathEscape(c.args[1])), nil, "", nil, func() {
		fmt.Fprintf(stdio.Stdout, "agent %s is no longer a scanner of %s\n", c.args[1], c.args[0])
	})
}

func runScannerList(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newAPICmd("scanner list", stdio, "ID [--json]")
	if code, ok := c.parse(args, 1); !ok {
		return code
	}
	var ov assess.DiscoveryOverview
	return c.call(ctx, "GET", c.discovery(""), nil, "", &ov, func() {
		tw := tabwriter.NewWriter(stdio.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "AGENT\tHOSTNAME\tALLOW\tSINCE")
		for _, sc := range ov.Scanners {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", sc.Agent[:12], dash(sc.Hostname), prefixes(sc), sc.Since.Format("2006-01-02 15:04"))
		}
		tw.Flush()
	})
}

func prefixes(sc assess.ScannerAgent) string {
	ss := make([]string, len(sc.Allow))
	for i, p := range sc.Allow {
		ss[i] = p.String()
	}
	return strings.Join(ss, ",")
}

func runDiscoveryRun(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newAPICmd("discovery run", stdio, "ID --targets 10.1.0.0/24,… [--agent AGENT] [--ports 22,80|--top-ports N] [--service-detection light] [--timeout 10m] [--no-wait] [--json]\n\n"+
		"Sends a discovery job to the scanner agent (the only one, or --agent); targets outside its allow-list are\n"+
		"refused before anything is sent. Shows nmap's progress on stderr until the result is stored.")
	var job assess.DiscoveryJob
	var targets listFlag
	c.fs.Var(&targets, "targets", "IP `addresses` and CIDR prefixes to scan (comma-separated, repeatable)")
	c.fs.StringVar(&job.Agent, "agent", "", "scanner `AGENT` id or prefix (default: the assessment's only scanner)")
	c.fs.StringVar(&job.Ports, "ports", "", "`ports` and ranges, comma-separated (default: nmap's top 1,000)")
	c.fs.IntVar(&job.TopPorts, "top-ports", 0, "scan nmap's `N` most common ports instead of --ports")
	c.fs.StringVar(&job.Service, "service-detection", "light", "service-version detection: off, light, default, all or intensity")
	c.fs.IntVar(&job.Intensity, "intensity", 0, "version intensity `0-9` with --service-detection intensity")
	c.fs.StringVar(&job.HostTimeout, "host-timeout", "", "give up on a host after this `duration` (its ports are then dropped)")
	c.fs.StringVar(&job.Timeout, "timeout", "10m", "stop the scan after this `duration` and keep the hosts completed (at most 1h)")
	timing := c.fs.Int("timing", -1, "nmap timing template `0-5` (default: nmap's, 3)")
	noWait := c.fs.Bool("no-wait", false, "print the run id and return without following the progress")
	if code, ok := c.parse(args, 1); !ok {
		return code
	}
	job.Targets = targets
	if *timing >= 0 {
		job.Timing = timing
	}
	var started assess.DiscoveryStatus
	if err := c.client.JSON(ctx, "POST", c.discovery("/runs"), job, &started); err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(stdio.Stderr, "discovery %s started on scanner %s\n", started.Run, started.Agent[:12])
	if *noWait {
		fmt.Fprintln(stdio.Stdout, started.Run)
		return cmdline.ExitOK
	}
	var final assess.DiscoveryStatus
	err := c.client.Events(ctx, c.discovery("/runs/"+started.Run+"/events"), func(event string, data []byte) error {
		switch event {
		case "progress":
			var p assess.RunProgress
			if err := json.Unmarshal(data, &p); err != nil {
				return fmt.Errorf("decode progress: %w", err)
			}
			printRunProgress(stdio, p)
		case "done":
			if err := json.Unmarshal(data, &final); err != nil {
				return fmt.Errorf("decode the final status: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return c.fail(err)
	}
	if !final.Done {
		return cmdline.Fail(stdio, c.name, cmdline.ExitError, "the progress stream of %s ended early: see 'assessment discovery show %s %s'", started.Run, c.args[0], started.Run)
	}
	var run assess.RunDetail
	raw, err := c.client.Raw(ctx, "GET", c.discovery("/runs/"+started.Run), nil, "")
	if err != nil {
		return c.fail(err)
	}
	if *c.asJSON {
		if _, err := stdio.Stdout.Write(raw); err != nil {
			return cmdline.Fail(stdio, c.name, cmdline.ExitError, "write: %v", err)
		}
	} else {
		if err := json.Unmarshal(raw, &run); err != nil {
			return cmdline.Fail(stdio, c.name, cmdline.ExitError, "decode the API answer: %v", err)
		}
		printRunSummary(stdio, run.RunView)
	}
	if final.State != assess.RunRecorded {
		return cmdline.Fail(stdio, c.name, cmdline.ExitError, "discovery %s %s: %s", started.Run, final.State, final.Error)
	}
	return cmdline.ExitOK
}

func printRunProgress(stdio cmdline.IO, p assess.RunProgress) {
	switch {
	case p.HostsDone > 0 && p.Task == "":
		fmt.Fprintf(stdio.Stderr, "  %d host(s) done\n", p.HostsDone)
	case p.Done:
		fmt.Fprintf(stdio.Stderr, "  %s done\n", p.Task)
	case p.Percent > 0:
		fmt.Fprintf(stdio.Stderr, "  %s %.1f%% (nmap's estimate for this task: %v left)\n", p.Task, p.Percent, p.Remaining)
	case p.Task != "":
		fmt.Fprintf(stdio.Stderr, "  %s\n", p.Task)
	}
}

func printRunSummary(stdio cmdline.IO, r assess.RunView) {
	w := stdio.Stdout
	fmt.Fprintf(w, "run %s on scanner %s: %s\n", r.Run, r.Agent[:12], r.State)
	fmt.Fprintf(w, "  targets %s, started %s\n", strings.Join(r.Job.Targets, ","), r.StartedAt.Format("2006-01-02 15:04:05"))
	if s := r.Summary; s != nil {
		fmt.Fprintf(w, "  outcome %s: %d up, %d down, %d scanned, %d services\n", s.Outcome, s.HostsUp, s.HostsDown, s.HostsTotal, s.Services)
		fmt.Fprintf(w, "  exposure: %d vulnerable, %d unsupported, %d unverified (leads)\n", s.Findings["vulnerable"], s.Findings["unsupported"], s.Findings["unverified"])
	}
	if r.Error != "" {
		fmt.Fprintf(w, "  error: %s\n", r.Error)
	}
}
