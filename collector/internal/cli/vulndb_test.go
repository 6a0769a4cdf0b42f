package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceplus/ceplus/shared/vulndb"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), append([]string{prog}, args...), strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestVulnDBImportAndList(t *testing.T) {
	data := t.TempDir()
	fixtures := filepath.Join("..", "..", "..", "shared", "vulndb", "testdata", "osv")
	code, out, stderr := runCLI(t, "vulndb", "import", "--data", data, fixtures)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, w := range []string{"snapshot ", "Debian", "Alpine", "problems:", "error:", "notice:", "DSA-9003-1"} {
		if !strings.Contains(out, w) {
			t.Errorf("import summary lacks %q:\n%s", w, out)
		}
	}
	if !strings.Contains(stderr, "documents read") {
		t.Errorf("no progress on stderr: %q", stderr)
	}
	code, out, stderr = runCLI(t, "vulndb", "list", "--data", data, "--json")
	if code != 0 {
		t.Fatalf("list exit %d: %s", code, stderr)
	}
	var ms []vulndb.Manifest
	if err := json.Unmarshal([]byte(out), &ms); err != nil || len(ms) != 1 || ms[0].Ecosystems["Debian"] == 0 {
		t.Fatalf("list --json = %v, %v:\n%s", ms, err, out)
	}
	code, out, _ = runCLI(t, "vulndb", "list", "--data", data)
	if code != 0 || !strings.Contains(out, ms[0].Hash) {
		t.Errorf("list exit %d:\n%s", code, out)
	}
}

func TestVulnDBImportBadInput(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "all.zip")
	if err := os.WriteFile(bad, []byte("not a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing path", []string{filepath.Join(t.TempDir(), "nope.zip")}, "no such file"},
		{"corrupt zip", []string{bad}, "not a readable zip"},
		{"no path", nil, "no PATH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append([]string{"vulndb", "import", "--data", t.TempDir()}, tt.args...)...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
		})
	}
}
