//go:build unix

package macos

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestRun exercises the process glue with /bin/sh, which every Unix test machine has.
func TestRun(t *testing.T) {
	tests := []struct {
		name       string
		script     string
		timeout    time.Duration
		wantOut    string
		wantStderr string
		wantErr    string
	}{
		{name: "success keeps stderr as is", script: "echo out; printf 'No new software available.\\n' >&2", timeout: 5 * time.Second, wantOut: "out\n", wantStderr: "No new software available.\n"},
		{name: "failure carries stderr", script: "echo boom >&2; exit 3", timeout: 5 * time.Second, wantStderr: "boom\n", wantErr: "exit status 3: boom"},
		{name: "timeout", script: "exec sleep 10", timeout: 200 * time.Millisecond, wantErr: "no answer within 200ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, err := run(context.Background(), tt.timeout, "/bin/sh", "-c", tt.script)
			if string(out) != tt.wantOut || string(stderr) != tt.wantStderr {
				t.Errorf("out %q stderr %q, want %q %q", out, stderr, tt.wantOut, tt.wantStderr)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
