package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// assessmentID is the demo assessment.
const assessmentID = "demo-2026"

// agentless are the devices of the scope CSV that cannot run an agent; their results are
// imported (a 2-device build: both are always in Sample 1).
const agentless = `# devices that cannot run an agent: their results come from the assessor's own tests
id,type,build,hostname,addresses
fw-01,network,FortiGate FortiOS 7.4,fw-01,127.0.0.1
fw-02,network,FortiGate FortiOS 7.4,fw-02,127.0.0.1
`

// as runs one `ceplus-collector assessment` command and shows it.
func (d *demo) as(ctx context.Context, args ...string) (string, error) {
	return d.run(ctx, true, append([]string{"ceplus-collector", "assessment"}, args...)...)
}

// assess walks the assessment from creation to the recorded verdict.
func (d *demo) assess(ctx context.Context) (*Result, error) {
	res := &Result{}
	d.step("Create the assessment, pinned to the imported snapshot")
	if _, err := d.as(ctx, "create", "--id", assessmentID, "--org", "Demo Widgets Ltd", "--snapshot", "latest"); err != nil {
		return nil, err
	}

	d.step("Scope: the enrolled agents of %s, plus a CSV of devices without an agent", assessmentID)
	csv := filepath.Join(d.work, "agentless.csv")
	if err := os.WriteFile(csv, []byte(agentless), 0o600); err != nil {
		return nil, err
	}
	fmt.Fprintf(d.out, "%s", indented(agentless))
	if _, err := d.as(ctx, "scope", "import", assessmentID, csv); err != nil {
		return nil, err
	}
	if err := d.addAgents(ctx); err != nil {
		return nil, err
	}
	if _, err := d.as(ctx, "freeze", assessmentID); err != nil {
		return nil, err
	}
	if _, err := d.as(ctx, "show", assessmentID); err != nil {
		return nil, err
	}
	out, err := d.run(ctx, false, "ceplus-collector", "assessment", "show", assessmentID, "--json")
	if err == nil {
		var v struct {
			Scope struct{ Devices int } `json:"scope"`
		}
		err = json.Unmarshal([]byte(out), &v)
		res.Devices = v.Scope.Devices
	}
	if err != nil {
		return nil, err
	}

	d.step("Draw Sample 1: the commitment is recorded and shown before the seed is revealed")
	s1, err := d.draw(ctx, 1)
	if err != nil {
		return nil, err
	}
	d.step("Scan Sample 1: the collector sends 'scan now' to each sampled agent and matches the fresh inventory")
	if _, err := d.as(ctx, "scan", assessmentID, "--sample", "1"); err != nil {
		return nil, err
	}
	if err := d.importAgentless(ctx, 1, s1); err != nil {
		return nil, err
	}
	if res.Sample1Failed, err = d.failing(ctx); err != nil {
		return nil, err
	}
	if res.Sample1Verdict, err = d.verdict(ctx, false); err != nil {
		return nil, err
	}

	d.step("Remediation: the applicant patches (the simulated agents switch to their patched inventories)")
	for _, f := range fleet {
		if f.patched == "" {
			continue
		}
		for i := 1; i <= f.n; i++ {
			if err := d.setInventory(filepath.Join(d.work, "estate", fmt.Sprintf("%s-%02d", f.prefix, i)), f.patched); err != nil {
				return nil, err
			}
		}
		fmt.Fprintf(d.out, "  %s-01..%s-%02d (%s) now report deploy/demo/inventories/%s\n", f.prefix, f.prefix, f.n, f.build, f.patched)
	}
	d.step("Retest the failing devices of Sample 1")
	if len(res.Sample1Failed) > 0 {
		if _, err := d.as(ctx, "scan", assessmentID, "--sample", "1", "--devices", strings.Join(res.Sample1Failed, ",")); err != nil {
			return nil, err
		}
	}
	if _, err := d.failing(ctx); err != nil {
		return nil, err
	}

	d.step("Draw Sample 2 (excluding Sample 1's devices) and declare it to the applicant")
	s2, err := d.draw(ctx, 2)
	if err != nil {
		return nil, err
	}
	if _, err := d.as(ctx, "declare", assessmentID); err != nil {
		return nil, err
	}
	d.step("Scan Sample 2")
	if _, err := d.as(ctx, "scan", assessmentID, "--sample", "2"); err != nil {
		return nil, err
	}
	if err := d.importAgentless(ctx, 2, s2); err != nil {
		return nil, err
	}
	d.step("The verdict, recorded in the hash-chained history, and the chain verified")
	if res.Verdict, err = d.verdict(ctx, true); err != nil {
		return nil, err
	}
	if _, err := d.as(ctx, "verify", assessmentID); err != nil {
		return nil, err
	}
	return res, nil
}

// addAgents adds the assessment's agents to the scope, laptops and servers by their build.
func (d *demo) addAgents(ctx context.Context) error {
	rows, err := d.agentRows(ctx)
	if err != nil {
		return err
	}
	byKind := map[string][]string{}
	for _, f := range fleet {
		for _, r := range rows {
			if r.Build == f.build && strings.HasPrefix(r.Hostname, f.prefix+"-") {
				byKind[f.kind] = append(byKind[f.kind], r.ID[:16])
			}
		}
	}
	for _, kind := range []string{"laptop", "server"} {
		fmt.Fprintf(d.out, "$ ceplus-collector assessment scope add-agents %s --type %s --agents <%d agent ids>\n", assessmentID, kind, len(byKind[kind]))
		out, err := d.run(ctx, false, "ceplus-collector", "assessment", "scope", "add-agents", assessmentID, "--type", kind, "--agents", strings.Join(byKind[kind], ","))
		if err != nil {
			return err
		}
		fmt.Fprint(d.out, indented(firstLine(out)))
	}
	return nil
}

// draw draws sample n and returns its devices.
func (d *demo) draw(ctx context.Context, n int) ([]string, error) {
	out, err := d.as(ctx, "draw", assessmentID, "--sample", fmt.Sprint(n))
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(out, "\n") {
		if devs, ok := strings.CutPrefix(line, "devices: "); ok {
			return strings.Fields(devs), nil
		}
	}
	return nil, fmt.Errorf("draw of Sample %d printed no 'devices:' line:\n%s", n, out)
}

// importAgentless imports clean results for the sampled devices without an agent.
func (d *demo) importAgentless(ctx context.Context, n int, sampled []string) error {
	var devs []string
	for _, line := range strings.Split(agentless, "\n") {
		id, _, _ := strings.Cut(line, ",")
		if slices.Contains(sampled, id) {
			devs = append(devs, fmt.Sprintf(`{"device": %q, "findings": []}`, id))
		}
	}
	if len(devs) == 0 {
		return nil
	}
	fmt.Fprintf(d.out, "  the devices without an agent were tested by the assessor by hand: import their results\n")
	file := filepath.Join(d.work, fmt.Sprintf("results-sample%d.json", n))
	body := fmt.Sprintf(`{"sample": %d, "devices": [%s]}`, n, strings.Join(devs, ", "))
	if err := os.WriteFile(file, []byte(body+"\n"), 0o600); err != nil {
		return err
	}
	_, err := d.as(ctx, "import-results", assessmentID, file)
	return err
}

// failing shows the findings and returns the devices whose latest test fails.
func (d *demo) failing(ctx context.Context) ([]string, error) {
	if _, err := d.as(ctx, "findings", assessmentID); err != nil {
		return nil, err
	}
	out, err := d.run(ctx, false, "ceplus-collector", "assessment", "findings", assessmentID, "--json")
	if err != nil {
		return nil, err
	}
	var tests []struct {
		Device string `json:"device"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal([]byte(out), &tests); err != nil {
		return nil, fmt.Errorf("findings --json: %w", err)
	}
	var fail []string
	for _, t := range tests {
		if t.Status != "pass" {
			fail = append(fail, t.Device)
		}
	}
	return fail, nil
}

// verdict shows the verdict (recording it when record is set) and returns its outcome.
func (d *demo) verdict(ctx context.Context, record bool) (string, error) {
	args := []string{"verdict", assessmentID}
	if record {
		args = append(args, "--record")
	}
	if _, err := d.as(ctx, args...); err != nil {
		return "", err
	}
	out, err := d.run(ctx, false, "ceplus-collector", "assessment", "verdict", assessmentID, "--json")
	if err != nil {
		return "", err
	}
	var v struct {
		Outcome string `json:"outcome"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		return "", fmt.Errorf("verdict --json: %w", err)
	}
	return v.Outcome, nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
