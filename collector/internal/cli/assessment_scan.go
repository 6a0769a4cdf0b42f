package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/ceplus/ceplus/collector/internal/assess"
	"github.com/ceplus/ceplus/shared/cmdline"
)

func runAssessmentScan(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newAPICmd("scan", stdio, "ID --sample 1|2 [--devices ID,…] [--json]\n\nAsks every sampled device's agent to inventory now and matches it against the pinned snapshot;\n"+
		"shows a progress bar (stderr) until the scan ends. Devices without an agent fail: import their results.")
	n := sampleFlag(c)
	devices := c.fs.String("devices", "", "only these `DEVICES` of the sample (a retest), comma-separated")
	if code, ok := c.parse(args, 1); !ok {
		return code
	}
	var started assess.ScanStatus
	if err := c.client.JSON(ctx, "POST", c.path("/scans"), assess.ScanRequest{Sample: *n, Devices: splitList(*devices)}, &started); err != nil {
		return c.fail(err)
	}
	total := len(started.Devices)
	states := map[string]string{}
	reasons := map[string]string{}
	var final assess.ScanStatus
	err := c.client.Events(ctx, c.path("/scans/"+started.Scan+"/events"), func(event string, data []byte) error {
		switch event {
		case "progress":
			var p assess.Progress
			if err := json.Unmarshal(data, &p); err != nil {
				return fmt.Errorf("decode progress: %w", err)
			}
			states[p.Device] = p.State
			if p.Error != "" {
				reasons[p.Device] = p.Error
			}
			progressBar(stdio.Stderr, states, total)
		case "done":
			if err := json.Unmarshal(data, &final); err != nil {
				return fmt.Errorf("decode the final status: %w", err)
			}
		}
		return nil
	})
	fmt.Fprintln(stdio.Stderr)
	if err != nil {
		return c.fail(err)
	}
	if !final.Done {
		return cmdline.Fail(stdio, c.name, cmdline.ExitError, "the progress stream of scan %s ended early: see 'assessment show %s'", started.Scan, c.args[0])
	}
	if *c.asJSON {
		if err := cmdline.PrintJSON(stdio.Stdout, final); err != nil {
			return cmdline.Fail(stdio, c.name, cmdline.ExitError, "write JSON: %v", err)
		}
		return cmdline.ExitOK
	}
	fmt.Fprintf(stdio.Stdout, "scan %s of Sample %d: %d matched, %d failed\n", final.Scan, final.Sample, final.Counts[assess.StateMatched], final.Counts[assess.StateFailed])
	var failed []string
	for d, s := range final.Devices {
		if s == assess.StateFailed {
			failed = append(failed, d)
		}
	}
	sort.Strings(failed)
	for _, d := range failed {
		fmt.Fprintf(stdio.Stdout, "  %s: %s\n", d, reasons[d])
	}
	return cmdline.ExitOK
}

// progressBar redraws one line: a bar of finished devices and the count per state.
func progressBar(w io.Writer, states map[string]string, total int) {
	count := map[string]int{}
	for _, s := range states {
		count[s]++
	}
	done := count[assess.StateMatched] + count[assess.StateFailed]
	const width = 30
	filled := 0
	if total > 0 {
		filled = done * width / total
	}
	fmt.Fprintf(w, "\r[%s%s] %d/%d  queued %d  running %d  uploaded %d  matched %d  failed %d ",
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total,
		count[assess.StateQueued], count[assess.StateRunning], count[assess.StateUploaded], count[assess.StateMatched], count[assess.StateFailed])
}

func runAssessmentVerdict(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newAPICmd("verdict", stdio, "ID [--record] [--json]")
	record := c.fs.Bool("record", false, "record the verdict in the assessment's history (assessor)")
	if code, ok := c.parse(args, 1); !ok {
		return code
	}
	method := "GET"
	if *record {
		method = "POST"
	}
	var v assess.Verdict
	return c.callE(ctx, method, c.path("/verdict"), nil, "", &v, func() error {
		w := stdio.Stdout
		fmt.Fprintf(w, "outcome:        %s\nCE certificate: %s\nrule:           %s\n", v.Outcome, v.CECertificate, v.Rule)
		if v.RemediationDeadline != nil {
			fmt.Fprintf(w, "remediation deadline: %s\n", v.RemediationDeadline)
		}
		for _, r := range v.Reasons {
			fmt.Fprintf(w, "  - %s\n", r)
		}
		if len(v.Repeated) > 0 {
			fmt.Fprintf(w, "repeated: %s\n", strings.Join(v.Repeated, ", "))
		}
		for _, x := range v.Violations {
			fmt.Fprintf(w, "violation %s: %s\n", x.Rule, x.Detail)
		}
		for _, q := range append(v.Questions, v.MatcherQuestions...) {
			fmt.Fprintf(w, "question: %s\n", q)
		}
		fmt.Fprintf(w, "computed at %s on %d events (last hash %s), snapshot %s\n", v.Now.Format("2006-01-02 15:04:05Z07:00"), v.Seq, v.Hash, v.Snapshot)
		return nil
	})
}

func runAssessmentVerify(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newAPICmd("verify", stdio, "ID [--json]\n\nExit status 0 when the hash chain and every draw verify, 1 otherwise.")
	if code, ok := c.parse(args, 1); !ok {
		return code
	}
	var r assess.VerifyReport
	raw, err := c.client.Raw(ctx, "GET", c.path("/verify"), nil, "")
	if err != nil {
		return c.fail(err)
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return cmdline.Fail(stdio, c.name, cmdline.ExitError, "decode the API answer: %v", err)
	}
	if *c.asJSON {
		if _, err := stdio.Stdout.Write(raw); err != nil {
			return cmdline.Fail(stdio, c.name, cmdline.ExitError, "write: %v", err)
		}
	} else {
		fmt.Fprintf(stdio.Stdout, "chain: %s\n", r.Chain)
		for _, d := range r.Draws {
			status := "ok"
			if !d.OK {
				status = "MISMATCH: " + d.Problem
			}
			fmt.Fprintf(stdio.Stdout, "Sample %d draw (commitment %s): %s\n", d.Sample, d.Commitment, status)
		}
		for _, p := range r.Problems {
			fmt.Fprintf(stdio.Stdout, "problem: %s\n", p)
		}
	}
	if !r.OK {
		return cmdline.Fail(stdio, c.name, cmdline.ExitError, "assessment %s does not verify", r.Assessment)
	}
	if !*c.asJSON {
		fmt.Fprintf(stdio.Stdout, "assessment %s verifies: %d events, last hash %s\n", r.Assessment, r.Events, r.LastHash)
	}
	return cmdline.ExitOK
}

func runAssessmentExport(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newAPICmd("export-case", stdio, "ID [-o FILE] [--now RFC3339]\n\nWrites the rules contract v1 case; 'rules evaluate' on it gives the collector's verdict at --now (default: the collector's now).")
	outPath := c.fs.String("o", "", "write to `FILE` instead of standard output")
	now := c.fs.String("now", "", "evaluate at this `TIME` (RFC 3339) instead of the collector's now")
	if code, ok := c.parse(args, 1); !ok {
		return code
	}
	path := c.path("/case")
	if *now != "" {
		path += "?now=" + *now
	}
	var cs assess.CaseJSON
	if err := c.client.JSON(ctx, "GET", path, nil, &cs); err != nil {
		return c.fail(err)
	}
	w := stdio.Stdout
	if *outPath != "" {
		f, err := os.Create(*outPath)
		if err != nil {
			return cmdline.Fail(stdio, c.name, cmdline.ExitError, "create %s: %v", *outPath, err)
		}
		defer f.Close()
		w = f
	}
	if err := cmdline.PrintJSON(w, cs); err != nil {
		return cmdline.Fail(stdio, c.name, cmdline.ExitError, "write the case: %v", err)
	}
	if *outPath != "" {
		if err := w.(*os.File).Close(); err != nil {
			return cmdline.Fail(stdio, c.name, cmdline.ExitError, "write %s: %v", *outPath, err)
		}
		fmt.Fprintf(stdio.Stderr, "wrote %s: %d devices, %d events, now %s\n", *outPath, len(cs.Devices), len(cs.Events), cs.Now)
	}
	return cmdline.ExitOK
}
