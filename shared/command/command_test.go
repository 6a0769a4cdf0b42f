//go:build unix

package command

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestRun exercises the process glue with /bin/sh, which every Unix test machine has.
func TestRun(t *testing.T) {
	upper := func(b []byte) string { return strings.ToUpper(strings.TrimSpace(string(b))) }
	tests := []struct {
		name       string
		script     string
		timeout    time.Duration
		clean      func([]byte) string
		wantOut    string
		wantStderr string
		wantErr    string
	}{
		{name: "success keeps stderr as is", script: "echo out; printf 'No new software available.\\n' >&2", timeout: 5 * time.Second, wantOut: "out\n", wantStderr: "No new software available.\n"},
		{name: "failure carries stderr", script: "echo boom >&2; exit 3", timeout: 5 * time.Second, wantStderr: "boom\n", wantErr: "/bin/sh: exit status 3: boom"},
		{name: "failure carries cleaned stderr", script: "echo boom >&2; exit 3", timeout: 5 * time.Second, clean: upper, wantStderr: "boom\n", wantErr: "exit status 3: BOOM"},
		{name: "failure without stderr", script: "exit 3", timeout: 5 * time.Second, wantErr: "/bin/sh: exit status 3"},
		{name: "timeout", script: "exec sleep 10", timeout: 200 * time.Millisecond, wantErr: "no answer within 200ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, err := Run(context.Background(), tt.timeout, tt.clean, "/bin/sh", "-c", tt.script)
			if string(out) != tt.wantOut || string(stderr) != tt.wantStderr {
				t.Errorf("out %q stderr %q, want %q %q", out, stderr, tt.wantOut, tt.wantStderr)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.HasSuffix(err.Error(), tt.wantErr)):
				t.Errorf("error = %v, want it to end with %q", err, tt.wantErr)
			}
		})
	}
}

func TestSummary(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"collapsed", " a\r\n  b\tc \n", "a b c"},
		{"empty", "\r\n", ""},
		{"long is bounded", strings.Repeat("x", 3000), strings.Repeat("x", MaxStderr) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Summary([]byte(tt.in)); got != tt.want {
				t.Errorf("Summary(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
