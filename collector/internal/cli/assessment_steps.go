package cli

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/ceplus/ceplus/collector/internal/api"
	"github.com/ceplus/ceplus/collector/internal/assess"
	"github.com/ceplus/ceplus/shared/cmdline"
)

func runAssessmentShow(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newAPICmd("show", stdio, "ID [--json]")
	if code, ok := c.parse(args, 1); !ok {
		return code
	}
	var v api.AssessmentView
	return c.callE(ctx, "GET", c.path(""), nil, "", &v, func() error {
		w := stdio.Stdout
		fmt.Fprintf(w, "assessment   %s (%s)\norganisation %s\ntime zone    %s\nsnapshot     %s\n", v.ID, v.Settings.Title, v.Settings.Organisation, v.Settings.Timezone, v.Settings.Snapshot)
		fmt.Fprintf(w, "scope        %d devices in %d builds", v.Scope.Devices, len(v.Scope.Builds))
		if f := v.Scope.Frozen; f != nil {
			fmt.Fprintf(w, ", frozen %s, hash %s", f.At.Format("2006-01-02 15:04"), f.ScopeHash)
		}
		fmt.Fprintln(w)
		for _, s := range v.Samples {
			fmt.Fprintf(w, "sample %d     commitment %s", s.Sample, s.Commitment)
			if s.Drawn {
				fmt.Fprintf(w, ", seed %s, %d devices, %d untested", s.Seed, len(s.Devices), len(s.Untested))
			} else {
				fmt.Fprint(w, " (not drawn yet)")
			}
			fmt.Fprintln(w)
		}
		if v.Declared != nil {
			fmt.Fprintf(w, "declared     Sample 2 at %s\n", v.Declared.At.Format("2006-01-02 15:04"))
		}
		fmt.Fprintf(w, "tests        %d (%d scan failures)\n", v.Tests, v.ScanFailures)
		if v.Refused != nil {
			fmt.Fprintf(w, "refused      Sample 2 at %s by the %s\n", v.Refused.At.Format("2006-01-02 15:04"), v.Refused.Role)
		}
		fmt.Fprintf(w, "history      %d events, last hash %s\n", v.Events, v.LastHash)
		return nil
	})
}

func runAssessmentDevices(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newAPICmd("devices", stdio, "ID [--json]")
	if code, ok := c.parse(args, 1); !ok {
		return code
	}
	var devs []api.DeviceView
	return c.callE(ctx, "GET", c.path("/devices"), nil, "", &devs, func() error {
		tw := tabwriter.NewWriter(stdio.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tTYPE\tBUILD\tAGENT\tSAMPLE 1\tSAMPLE 2")
		for _, d := range devs {
			agent := "-"
			if d.Agent != "" {
				agent = d.Agent[:12]
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, d.Type, d.Build, agent, dash(string(d.Status["1"])), dash(string(d.Status["2"])))
		}
		return tw.Flush()
	})
}

func runAssessmentScope(ctx context.Context, stdio cmdline.IO, args []string) int {
	return cmdline.Dispatch(ctx, assessmentProg+" scope", []cmdline.Command{
		{Name: "import", Summary: "import devices from a CSV file (id,type,build[,hostname,machine_id,addresses]); - for stdin", Run: runScopeImport},
		{Name: "add-agents", Summary: "add the assessment's enrolled agents (linked to CSV entries by scope entry, machine id or hostname)", Run: runScopeAgents},
	}, stdio, args)
}

func printScopeChange(stdio cmdline.IO, ch assess.ScopeChange) error {
	fmt.Fprintf(stdio.Stdout, "added %d devices, linked %d agents, skipped %d agents\n", len(ch.Added), len(ch.Linked), len(ch.Skipped))
	for _, l := range ch.Linked {
		fmt.Fprintf(stdio.Stdout, "  linked %s to agent %s (by %s)\n", l.Device, l.Agent[:12], l.By)
	}
	for _, s := range ch.Skipped {
		fmt.Fprintf(stdio.Stdout, "  skipped agent %s: %s\n", s.Agent[:12], s.Reason)
	}
	if ch.AfterFreeze {
		fmt.Fprintln(stdio.Stderr, "note: the scope was already frozen: the change is recorded but the frozen scope and its draws are unchanged")
	}
	return nil
}

func runScopeImport(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newAPICmd("scope import", stdio, "ID FILE.csv|- [--json]")
	if code, ok := c.parse(args, 2); !ok {
		return code
	}
	in, done, err := openInput(stdio.Stdin, c.args[1])
	if err != nil {
		return cmdline.Fail(stdio, c.name, cmdline.ExitUsage, "cannot read the scope CSV: %v", err)
	}
	defer done()
	var ch assess.ScopeChange
	return c.callE(ctx, "POST", c.path("/scope/csv"), in, "text/csv", &ch, func() error { return printScopeChange(stdio, ch) })
}

func runScopeAgents(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newAPICmd("scope add-agents", stdio, "ID --type TYPE [--agents ID,…] [--json]")
	typ := c.fs.String("type", "", "device `TYPE` of agents new to the scope: desktop, laptop, thin_client, server, mobile, network, other")
	agents := c.fs.String("agents", "", "only these agent `IDS` (or unique prefixes), comma-separated")
	if code, ok := c.parse(args, 1); !ok {
		return code
	}
	body, err := jsonBody(assess.AgentsRequest{Type: *typ, Agents: splitList(*agents)})
	if err != nil {
		return c.fail(err)
	}
	var ch assess.ScopeChange
	return c.callE(ctx, "POST", c.path("/scope/agents"), body, "application/json", &ch, func() error { return printScopeChange(stdio, ch) })
}

func runAssessmentFreeze(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newAPICmd("freeze", stdio, "ID [--json]")
	if code, ok := c.parse(args, 1); !ok {
		return code
	}
	var sc api.ScopeView
	return c.callE(ctx, "POST", c.path("/freeze"), nil, "", &sc, func() error {
		fmt.Fprintf(stdio.Stdout, "scope frozen: %d devices, hash %s\n", sc.Frozen.Devices, sc.Frozen.ScopeHash)
		return nil
	})
}

func sampleFlag(c *apiCmd) *int {
	return c.fs.Int("sample", 0, "sample `N`: 1 or 2")
}

func runAssessmentCommit(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newAPICmd("commit", stdio, "ID --sample 1|2 [--json]")
	n := sampleFlag(c)
	if code, ok := c.parse(args, 1); !ok {
		return code
	}
	var s api.SampleView
	return c.callE(ctx, "POST", c.path(fmt.Sprintf("/samples/%d/commit", *n)), nil, "", &s, func() error {
		fmt.Fprintf(stdio.Stdout, "Sample %d commitment: %s\n", s.Sample, s.Commitment)
		return nil
	})
}

func runAssessmentDraw(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newAPICmd("draw", stdio, "ID --sample 1|2 [--json]\n\nCommits to a fresh seed (the commitment is recorded and printed first), then reveals it and draws.")
	n := sampleFlag(c)
	if code, ok := c.parse(args, 1); !ok {
		return code
	}
	var committed api.SampleView
	if err := c.client.JSON(ctx, "POST", c.path(fmt.Sprintf("/samples/%d/commit", *n)), nil, &committed); err != nil {
		return c.fail(err)
	}
	if !*c.asJSON {
		fmt.Fprintf(stdio.Stdout, "Sample %d commitment: %s (recorded at %s, before the draw)\n", *n, committed.Commitment, committed.CommittedAt.Format("2006-01-02 15:04:05"))
	}
	var s api.SampleView
	return c.callE(ctx, "POST", c.path(fmt.Sprintf("/samples/%d/draw", *n)), nil, "", &s, func() error {
		fmt.Fprintf(stdio.Stdout, "Sample %d seed:       %s\nscope hash: %s\n", s.Sample, s.Seed, s.ScopeHash)
		tw := tabwriter.NewWriter(stdio.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "BUILD\tDEVICES\tSIZE\tRULE")
		for _, b := range slices.Sorted(maps.Keys(s.Builds)) {
			d := s.Builds[b]
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", b, d.Devices, d.Size, d.Rule)
		}
		tw.Flush()
		fmt.Fprintf(stdio.Stdout, "devices: %s\n", strings.Join(s.Devices, " "))
		return nil
	})
}

func runAssessmentDeclare(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newAPICmd("declare", stdio, "ID [--json]")
	if code, ok := c.parse(args, 1); !ok {
		return code
	}
	var d api.DeclarationView
	return c.callE(ctx, "POST", c.path("/samples/2/declare"), nil, "", &d, func() error {
		fmt.Fprintf(stdio.Stdout, "Sample 2 declared at %s: %s\n", d.At.Format("2006-01-02 15:04"), strings.Join(d.Devices, " "))
		fmt.Fprintln(stdio.Stderr, "test them within 72 hours or 3 working days (RULES.md §1.5.4)")
		return nil
	})
}

func runAssessmentImport(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newAPICmd("import-results", stdio, "ID FILE.json|- [--json]\n\nFILE is {\"sample\": N, \"tested_at\"?: T, \"devices\": [{\"device\": ID, \"tested_at\"?: T, \"findings\": [contract v1 findings]}]}.")
	if code, ok := c.parse(args, 2); !ok {
		return code
	}
	in, done, err := openInput(stdio.Stdin, c.args[1])
	if err != nil {
		return cmdline.Fail(stdio, c.name, cmdline.ExitUsage, "cannot read the results: %v", err)
	}
	defer done()
	var out struct {
		Recorded []string `json:"recorded"`
	}
	return c.callE(ctx, "POST", c.path("/results"), in, "application/json", &out, func() error {
		fmt.Fprintf(stdio.Stdout, "recorded %d tests: %s\n", len(out.Recorded), strings.Join(out.Recorded, " "))
		return nil
	})
}

func runAssessmentFindings(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newAPICmd("findings", stdio, "ID [--json]")
	if code, ok := c.parse(args, 1); !ok {
		return code
	}
	var tests []api.TestView
	return c.callE(ctx, "GET", c.path("/findings"), nil, "", &tests, func() error {
		for _, t := range tests {
			fmt.Fprintf(stdio.Stdout, "Sample %d %s: %s (%s, %s)\n", t.Sample, t.Device, t.Status, t.Source, t.TestedAt.Format("2006-01-02 15:04"))
			for _, f := range t.Findings {
				fmt.Fprintf(stdio.Stdout, "    %-13s %s %s %s -> %s\n", f.Class, strings.Join(f.IDs, ","), f.Package, f.Installed, dash(f.Fixed))
			}
		}
		return nil
	})
}

func runAssessmentRefuse(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newAPICmd("refuse", stdio, "ID [--reason TEXT] [--json]")
	reason := c.fs.String("reason", "", "why Sample 2 is refused")
	if code, ok := c.parse(args, 1); !ok {
		return code
	}
	body, err := jsonBody(assess.RefuseRequest{Reason: *reason})
	if err != nil {
		return c.fail(err)
	}
	return c.callE(ctx, "POST", c.path("/refuse"), body, "application/json", nil, func() error {
		fmt.Fprintln(stdio.Stdout, "Sample 2 refused: CE+ is not achieved; the CE certificate stays valid")
		return nil
	})
}

func runAssessmentDecide(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newAPICmd("decide", stdio, "ID --question TEXT --decision TEXT [--json]")
	var req assess.DecideRequest
	c.fs.StringVar(&req.Question, "question", "", "the question, as the verdict states it")
	c.fs.StringVar(&req.Decision, "decision", "", "the decision")
	if code, ok := c.parse(args, 1); !ok {
		return code
	}
	body, err := jsonBody(req)
	if err != nil {
		return c.fail(err)
	}
	return c.callE(ctx, "POST", c.path("/decisions"), body, "application/json", nil, func() error {
		fmt.Fprintln(stdio.Stdout, "decision recorded")
		return nil
	})
}
