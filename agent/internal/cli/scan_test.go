package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/match"
	"github.com/ceplus/ceplus/shared/vulndb"
)

// scanDB writes two Debian 12 records for the test root's packages into a vulndb directory:
// DSA-9100-1 fixes brotli in 1.0.9-2+deb12u1 (released long ago: fail), DEBIAN-CVE-2099-1
// affects libcap2 without a fix (no_fix).
func scanDB(t *testing.T) string {
	t.Helper()
	src := t.TempDir()
	recs := map[string]string{
		"DSA-9100-1.json": `{"id":"DSA-9100-1","published":"2025-01-02T00:00:00Z","modified":"2025-01-02T00:00:00Z","upstream":["CVE-2099-9100"],
			"affected":[{"package":{"ecosystem":"Debian:12","name":"brotli"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.0.9-2+deb12u1"}]}]}]}`,
		"DEBIAN-CVE-2099-1.json": `{"id":"DEBIAN-CVE-2099-1","published":"2025-01-02T00:00:00Z","modified":"2025-01-02T00:00:00Z","upstream":["CVE-2099-1"],
			"affected":[{"package":{"ecosystem":"Debian:12","name":"libcap2"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}],
			"ecosystem_specific":{"urgency":"high"}}]}`,
	}
	for name, body := range recs {
		if err := os.WriteFile(filepath.Join(src, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data := t.TempDir()
	if _, err := vulndb.Import(context.Background(), filepath.Join(data, "vulndb"), []string{src}, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), nil); err != nil {
		t.Fatal(err)
	}
	return data
}

func TestScanJSON(t *testing.T) {
	data := scanDB(t)
	code, out, stderr := agent(t, e2eDir, "scan", "--json", "--db", data, "--root", "testdata/debian12", "--plugins", e2eDir)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	var got struct {
		Result match.Result `json:"result"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	classes := map[string]match.Class{}
	for _, f := range got.Result.Findings {
		classes[f.Package+" "+strings.Join(f.IDs, ",")] = f.Class
	}
	want := map[string]match.Class{
		"libbrotli1 CVE-2099-9100,DSA-9100-1":  match.ClassFail,
		"libcap2 CVE-2099-1,DEBIAN-CVE-2099-1": match.ClassNoFix,
	}
	for k, c := range want {
		if classes[k] != c {
			t.Errorf("finding %q: class %q, want %q (all: %v)", k, classes[k], c, classes)
		}
	}
	if got.Result.OSSupport == nil || got.Result.OSSupport.Release.Cycle != "12" {
		t.Errorf("os support = %+v, want the Debian 12 status", got.Result.OSSupport)
	}
}

func TestScanHumanAndExitCodes(t *testing.T) {
	data := scanDB(t)
	code, out, stderr := agent(t, e2eDir, "scan", "--db", filepath.Join(data, "vulndb"), "--root", "testdata/debian12", "--plugins", e2eDir)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	for _, w := range []string{"brotli", "1.0.9-2+b6 → 1.0.9-2+deb12u1", "fail", "DSA-9100-1", "libcap2", "no_fix", "os support", "Debian 12 (Bookworm)"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string // in stderr
	}{
		{"fail-on fail with a failing finding", []string{"--db", data, "--fail-on", "fail"}, 1, ""},
		{"no --db", nil, 2, "--db is required"},
		{"empty db", []string{"--db", t.TempDir()}, 2, "holds no vulnerability snapshot"},
		{"unknown snapshot", []string{"--db", data, "--snapshot", "ffff"}, 2, "no such snapshot"},
		{"bad fail-on", []string{"--db", data, "--fail-on", "sometimes"}, 2, "want none or fail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"scan", "--root", "testdata/debian12", "--plugins", e2eDir}, tt.args...)
			code, _, stderr := agent(t, e2eDir, args...)
			if code != tt.wantCode || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tt.wantCode, tt.want)
			}
		})
	}
}
