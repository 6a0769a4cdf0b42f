package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var contractDir = filepath.Join("..", "..", "..", "shared", "rules", "testdata", "contract")

// compareFields compares the fields present in expected with the same fields of got, deeply.
func compareFields(t *testing.T, got, expected []byte) {
	t.Helper()
	var g, w map[string]any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("answer is not one JSON object: %v\n%s", err, got)
	}
	if err := json.Unmarshal(expected, &w); err != nil {
		t.Fatalf("expected answer: %v", err)
	}
	for field, want := range w {
		if diff := cmp.Diff(want, g[field]); diff != "" {
			t.Errorf("field %q differs (-expected +got):\n%s", field, diff)
		}
	}
}

// TestRulesEvaluateBinary runs every contract example through the real ceplus-collector binary,
// once from the file and once from standard input.
func TestRulesEvaluateBinary(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "ceplus-collector")
	build := exec.Command("go", "build", "-o", bin, "github.com/ceplus/ceplus/collector/cmd/ceplus-collector")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cases, err := filepath.Glob(filepath.Join(contractDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, path := range cases {
		if strings.HasSuffix(path, ".expected.json") {
			continue
		}
		n++
		expected, err := os.ReadFile(strings.TrimSuffix(path, ".json") + ".expected.json")
		if err != nil {
			t.Fatal(err)
		}
		for _, viaStdin := range []bool{false, true} {
			name := filepath.Base(path)
			if viaStdin {
				name += "/stdin"
			}
			t.Run(name, func(t *testing.T) {
				cmd := exec.Command(bin, "rules", "evaluate", path)
				if viaStdin {
					f, err := os.Open(path)
					if err != nil {
						t.Fatal(err)
					}
					defer f.Close()
					cmd = exec.Command(bin, "rules", "evaluate", "-")
					cmd.Stdin = f
				}
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				if err := cmd.Run(); err != nil {
					t.Fatalf("exit: %v; stderr: %s", err, stderr.String())
				}
				if stderr.Len() != 0 {
					t.Errorf("stderr is not empty: %s", stderr.String())
				}
				compareFields(t, stdout.Bytes(), expected)
			})
		}
	}
	if n < 6 {
		t.Fatalf("ran %d contract examples from %s, want at least 6", n, contractDir)
	}

	// A malformed case through the binary: exit 2, one line on stderr, nothing on stdout.
	cmd := exec.Command(bin, "rules", "evaluate", "-")
	cmd.Stdin = strings.NewReader(`{"contract": 1, "scheme": "ceplus2", "now": "2026-01-01T00:00:00Z"}`)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Errorf("malformed case: %v, want exit status 2", err)
	}
	if stdout.Len() != 0 || !strings.Contains(stderr.String(), `scheme = "ceplus2"`) || strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("malformed case: stdout %q, stderr %q", stdout.String(), stderr.String())
	}
}

func TestRulesEvaluateMalformed(t *testing.T) {
	tests := []struct {
		name, input string
		want        []string // every one must appear on stderr
	}{
		{name: "not JSON", input: `{"contract": 1,`, want: []string{"not valid JSON"}},
		{name: "empty", input: ``, want: []string{"empty"}},
		{name: "unknown scheme", input: `{"contract":1,"scheme":"pci","now":"2026-01-01T00:00:00Z"}`, want: []string{"scheme", `"pci"`}},
		{name: "wrong contract", input: `{"contract":2,"scheme":"eiot","now":"2026-01-01T00:00:00Z"}`, want: []string{"contract", "2"}},
		{name: "bad now", input: `{"contract":1,"scheme":"eiot","now":"yesterday"}`, want: []string{"now", `"yesterday"`}},
		{name: "unknown device in event", input: `{"contract":1,"scheme":"ceplus","now":"2026-06-01T00:00:00Z","devices":[{"id":"a","type":"laptop","build":"b"}],"events":[{"at":"2026-05-01T00:00:00Z","kind":"sample_drawn","sample":1,"devices":["zz"]}]}`, want: []string{"events[0].devices[0]", `"zz"`}},
		{name: "missing notified", input: `{"contract":1,"scheme":"eiot","now":"2026-01-01T00:00:00Z","triage":"red"}`, want: []string{"notified", "missing"}},
		{name: "two cases", input: `{"contract":1,"scheme":"eiot","now":"2026-01-01T00:00:00Z","triage":"red","notified":"2026-01-01T00:00:00Z"} {}`, want: []string{"after the JSON object"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Run(context.Background(), []string{prog, "rules", "evaluate", "-"}, strings.NewReader(tt.input), &stdout, &stderr)
			if code != 2 {
				t.Errorf("exit code %d, want 2", code)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout is not empty: %s", stdout.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr %q does not contain %q", stderr.String(), w)
				}
			}
		})
	}
}

func TestRulesUsage(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string // on stdout
		wantErr  string // on stderr
	}{
		{name: "rules -h lists subcommands", args: []string{"rules", "-h"}, wantCode: 0, wantOut: "evaluate"},
		{name: "top level lists rules", args: []string{"-h"}, wantCode: 0, wantOut: "rules"},
		{name: "evaluate -h", args: []string{"rules", "evaluate", "-h"}, wantCode: 0, wantErr: "CASE.json|-"},
		{name: "evaluate without a case", args: []string{"rules", "evaluate"}, wantCode: 2, wantErr: "exactly one case"},
		{name: "missing file", args: []string{"rules", "evaluate", "/nonexistent/case.json"}, wantCode: 2, wantErr: "/nonexistent/case.json"},
		{name: "unknown subcommand", args: []string{"rules", "judge"}, wantCode: 2, wantErr: `"judge"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Run(context.Background(), append([]string{prog}, tt.args...), strings.NewReader(""), &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d (stderr %q)", code, tt.wantCode, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.wantOut) || !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stdout %q (want %q), stderr %q (want %q)", stdout.String(), tt.wantOut, stderr.String(), tt.wantErr)
			}
		})
	}
}
