// Command walk is the scripted part of `make demo`: it walks one CE+ assessment of a demo estate
// from scope to verdict through the real ceplus-collector commands (sample draw, sample verify,
// rules evaluate), printing each step, the sample commitments and the verdict with its reasons.
//
// Usage: walk -bin DIR -work DIR
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

func main() {
	bin := flag.String("bin", "bin", "directory holding ceplus-collector")
	work := flag.String("work", "", "directory for the demo's files (default: a new temporary directory)")
	flag.Parse()
	if err := run(*bin, *work); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

type device struct {
	ID    string `json:"id"`
	Type  string `json:"type"`
	Build string `json:"build"`
}

type draw struct {
	Commitment string              `json:"commitment"`
	Seed       string              `json:"seed"`
	ScopeHash  string              `json:"scope_hash"`
	Devices    map[string][]string `json:"devices"`
}

type demo struct {
	collector string
	work      string
	start     time.Time
	devices   []device
	events    []map[string]any
}

func run(bin, work string) error {
	if work == "" {
		d, err := os.MkdirTemp("", "ceplus-demo-")
		if err != nil {
			return err
		}
		work = d
	}
	d := &demo{
		collector: filepath.Join(bin, "ceplus-collector"),
		work:      work,
		// The assessment starts on the Monday two weeks before today, at 09:00 UTC.
		start: mondayBefore(time.Now().UTC().AddDate(0, 0, -14)),
	}
	d.devices = estate()
	scope := filepath.Join(work, "scope.json")
	if err := writeJSON(scope, map[string]any{"devices": d.devices, "policy": map[string]any{"test_all_types": []string{}}}); err != nil {
		return err
	}
	counts := map[string]int{}
	for _, dv := range d.devices {
		counts[dv.Build]++
	}
	step("Scope: %d devices in %d builds (written to %s)", len(d.devices), len(counts), scope)
	for _, b := range sortedKeys(counts) {
		fmt.Printf("    %-24s %3d devices\n", b, counts[b])
	}
	d.event(0, map[string]any{"kind": "scope_frozen"})

	step("Draw Sample 1 (commit-reveal: the commitment is published before the seed is revealed)")
	s1, s1File, err := d.draw(scope, 1, "")
	if err != nil {
		return err
	}
	d.event(5*time.Minute, map[string]any{"kind": "sample_drawn", "sample": 1, "devices": flat(s1.Devices)})

	step("Test Sample 1: one Windows laptop is missing a critical update released 40 days ago")
	failing := s1.Devices["Windows 11 Pro 24H2"][0]
	bad := []map[string]any{{
		"ids": []string{"CVE-2026-21001", "KB5062553"}, "package": "Windows 11 cumulative update",
		"installed": "26100.4349", "fixed": "26100.4652", "severity": map[string]any{"vendor": "critical", "cvss3": 9.8},
		"fix_released": d.start.AddDate(0, 0, -40+1).Format("2006-01-02"),
	}}
	for _, id := range flat(s1.Devices) {
		findings := []map[string]any{}
		if id == failing {
			findings = bad
		}
		d.event(24*time.Hour, map[string]any{"kind": "device_tested", "sample": 1, "device": id, "findings": findings})
	}
	if err := d.evaluate(24*time.Hour + time.Hour); err != nil {
		return err
	}

	step("Remediation: the applicant updates every device in scope; the assessor retests Sample 1")
	for _, id := range flat(s1.Devices) {
		d.event(8*24*time.Hour, map[string]any{"kind": "device_tested", "sample": 1, "device": id, "findings": []any{}})
	}
	if err := d.evaluate(8*24*time.Hour + time.Hour); err != nil {
		return err
	}

	step("Draw Sample 2 from the devices not in Sample 1, and declare it to the applicant")
	s2, _, err := d.draw(scope, 2, s1File)
	if err != nil {
		return err
	}
	d.event(9*24*time.Hour, map[string]any{"kind": "sample_drawn", "sample": 2, "devices": flat(s2.Devices)})
	d.event(9*24*time.Hour+time.Hour, map[string]any{"kind": "sample_declared", "sample": 2, "devices": flat(s2.Devices)})

	step("Test Sample 2 the next day: one macOS device lacks a high-severity fix unrelated to Sample 1")
	mac := s2.Devices["macOS 14"]
	for _, id := range flat(s2.Devices) {
		findings := []map[string]any{}
		if len(mac) > 0 && id == mac[0] {
			findings = []map[string]any{{
				"ids": []string{"CVE-2026-30002"}, "package": "Safari", "installed": "18.4", "fixed": "18.5",
				"severity": map[string]any{"cvss3": 8.1}, "fix_released": d.start.AddDate(0, 0, -20).Format("2006-01-02"),
			}}
		}
		d.event(10*24*time.Hour, map[string]any{"kind": "device_tested", "sample": 2, "device": id, "findings": findings})
	}
	step("Verdict")
	return d.evaluate(10*24*time.Hour + 2*time.Hour)
}

// estate returns the demo's devices: four builds of realistic sizes.
func estate() []device {
	var out []device
	add := func(n int, prefix, typ, build string) {
		for i := 1; i <= n; i++ {
			out = append(out, device{ID: fmt.Sprintf("%s-%02d", prefix, i), Type: typ, Build: build})
		}
	}
	add(24, "win", "laptop", "Windows 11 Pro 24H2")
	add(8, "mac", "laptop", "macOS 14")
	add(6, "deb", "server", "Debian 12")
	add(4, "ubu", "desktop", "Ubuntu 24.04")
	return out
}

func (d *demo) event(offset time.Duration, e map[string]any) {
	e["at"] = d.start.Add(offset).Format(time.RFC3339)
	d.events = append(d.events, e)
}

func (d *demo) draw(scope string, sample int, exclude string) (draw, string, error) {
	args := []string{"sample", "draw", "--scope", scope, "--sample", fmt.Sprint(sample)}
	if exclude != "" {
		args = append(args, "--exclude", exclude)
	}
	out, err := d.run(args...)
	if err != nil {
		return draw{}, "", err
	}
	var r draw
	if err := json.Unmarshal(out, &r); err != nil {
		return draw{}, "", fmt.Errorf("sample draw printed %q: %w", out, err)
	}
	file := filepath.Join(d.work, fmt.Sprintf("sample%d.json", sample))
	if err := os.WriteFile(file, out, 0o644); err != nil {
		return draw{}, "", err
	}
	fmt.Printf("    commitment  %s\n    seed        %s (revealed after the draw)\n    scope hash  %s\n", r.Commitment, r.Seed, r.ScopeHash)
	for _, b := range sortedKeys(r.Devices) {
		fmt.Printf("    %-24s %s\n", b, strings.Join(r.Devices[b], " "))
	}
	verify := []string{"sample", "verify", file, "--scope", scope}
	if exclude != "" {
		verify = append(verify, "--exclude", exclude)
	}
	if _, err := d.run(verify...); err != nil {
		return draw{}, "", fmt.Errorf("the recorded draw does not verify: %w", err)
	}
	fmt.Printf("    ceplus-collector sample verify: the draw re-runs identically from the revealed seed\n")
	return r, file, nil
}

func (d *demo) evaluate(at time.Duration) error {
	now := d.start.Add(at)
	c := map[string]any{"contract": 1, "scheme": "ceplus", "now": now.Format(time.RFC3339),
		"policy": map[string]any{"timezone": "Europe/London"}, "devices": d.devices, "events": d.events}
	file := filepath.Join(d.work, "case.json")
	if err := writeJSON(file, c); err != nil {
		return err
	}
	out, err := d.run("rules", "evaluate", file)
	if err != nil {
		return err
	}
	var v struct {
		Outcome    string   `json:"outcome"`
		Cert       string   `json:"ce_certificate"`
		Deadline   *string  `json:"remediation_deadline"`
		Reasons    []string `json:"reasons"`
		Questions  []string `json:"questions"`
		Violations []struct {
			Rule, Detail string
		} `json:"violations"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return fmt.Errorf("rules evaluate printed %q: %w", out, err)
	}
	fmt.Printf("    ceplus-collector rules evaluate (now %s): outcome %s, CE certificate %s", now.Format("2006-01-02 15:04Z"), strings.ToUpper(v.Outcome), v.Cert)
	if v.Deadline != nil {
		fmt.Printf(", remediation deadline %s", *v.Deadline)
	}
	fmt.Println()
	for _, r := range v.Reasons {
		fmt.Printf("      - %s\n", r)
	}
	for _, q := range v.Questions {
		fmt.Printf("      ? %s\n", q)
	}
	for _, x := range v.Violations {
		fmt.Printf("      ! %s: %s\n", x.Rule, x.Detail)
	}
	return nil
}

func (d *demo) run(args ...string) ([]byte, error) {
	cmd := exec.Command(d.collector, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("ceplus-collector %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

func step(format string, args ...any) {
	fmt.Printf("\n==> "+format+"\n", args...)
}

func flat(m map[string][]string) []string {
	var out []string
	for _, b := range sortedKeys(m) {
		out = append(out, m[b]...)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func mondayBefore(t time.Time) time.Time {
	for t.Weekday() != time.Monday {
		t = t.AddDate(0, 0, -1)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 9, 0, 0, 0, time.UTC)
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
