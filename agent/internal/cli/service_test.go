//go:build !windows

package cli

import (
	"bytes"
	"context"
	"runtime"
	"strings"
	"testing"

	"github.com/ceplus/ceplus/shared/cmdline"
)

// TestServiceElsewhere checks that `service` off Windows fails and says how the system's own
// service manager runs the agent.
func TestServiceElsewhere(t *testing.T) {
	want := map[string]string{"linux": "systemctl enable --now ceplus-agent", "darwin": "launchctl bootstrap system"}[runtime.GOOS]
	if want == "" {
		t.Skipf("no service guidance for %s", runtime.GOOS)
	}
	for _, sub := range []string{"install", "uninstall", "start", "stop"} {
		var stdout, stderr bytes.Buffer
		code := Run(context.Background(), []string{prog, "service", sub}, nil, &stdout, &stderr)
		if code != cmdline.ExitError || !strings.Contains(stderr.String(), want) {
			t.Errorf("service %s: exit %d, stderr %q; want %d and %q", sub, code, stderr.String(), cmdline.ExitError, want)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := Run(context.Background(), []string{prog, "service"}, nil, &stdout, &stderr); code != cmdline.ExitUsage || !strings.Contains(stderr.String(), "install") {
		t.Errorf("service without a subcommand: exit %d, stderr %q; want usage listing install", code, stderr.String())
	}
}
