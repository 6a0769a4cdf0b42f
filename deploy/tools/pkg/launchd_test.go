package main

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLaunchdPlist checks the launch daemon's program, state directory, restart policy and log.
func TestLaunchdPlist(t *testing.T) {
	b, err := os.ReadFile("../../launchd/org.ceplus.agent.plist")
	if err != nil {
		t.Fatal(err)
	}
	// The plist's top dict as a flat token list: key, value, key, value, ...
	dec := xml.NewDecoder(strings.NewReader(string(b)))
	var tokens []string
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if tok.Name.Local == "true" || tok.Name.Local == "false" {
				tokens = append(tokens, tok.Name.Local)
			}
		case xml.CharData:
			if s := strings.TrimSpace(string(tok)); s != "" {
				tokens = append(tokens, s)
			}
		}
	}
	flat := strings.Join(tokens, "|")
	for _, want := range []string{
		"Label|org.ceplus.agent",
		"ProgramArguments|/usr/local/lib/ceplus/ceplus-agent|run|--state|/Library/Application Support/ceplus",
		"RunAtLoad|true",
		"KeepAlive|SuccessfulExit|false",
		"StandardOutPath|/Library/Logs/ceplus-agent.log",
		"StandardErrorPath|/Library/Logs/ceplus-agent.log",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("plist lacks %s:\n%s", want, flat)
		}
	}
}

// TestLaunchdInstall runs install.sh from an unpacked tarball into a DESTDIR: layout and modes,
// no start before enrolment, start once enrolled, uninstall keeps the state.
func TestLaunchdInstall(t *testing.T) {
	src, dest := t.TempDir(), t.TempDir()
	for _, f := range []string{"ceplus-agent", "ceplus-plugin-macos", "ceplus-plugin-nmap", "plugins.json", "plugins.json.sig"} {
		if err := os.WriteFile(filepath.Join(src, f), []byte(f), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"install.sh", "org.ceplus.agent.plist"} {
		if _, err := copyFile(filepath.Join("..", "..", "launchd", f), filepath.Join(src, f)); err != nil {
			t.Fatal(err)
		}
	}
	install := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("sh", append([]string{filepath.Join(src, "install.sh")}, args...)...)
		cmd.Env = append(os.Environ(), "DESTDIR="+dest)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("install.sh %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if out := install(); !strings.Contains(out, "not enrolled, so not started") {
		t.Errorf("install before enrolment said %q, want not started", out)
	}
	for f, mode := range map[string]os.FileMode{
		"usr/local/lib/ceplus":                         0o755 | os.ModeDir,
		"usr/local/lib/ceplus/ceplus-agent":            0o755,
		"usr/local/lib/ceplus/ceplus-plugin-nmap":      0o755,
		"usr/local/lib/ceplus/plugins.json.sig":        0o644,
		"Library/LaunchDaemons/org.ceplus.agent.plist": 0o644,
	} {
		st, err := os.Stat(filepath.Join(dest, f))
		if err != nil || st.Mode() != mode {
			t.Errorf("%s: %v %v, want mode %v", f, st.Mode(), err, mode)
		}
	}
	if link, err := os.Readlink(filepath.Join(dest, "usr/local/bin/ceplus-agent")); err != nil || link != "/usr/local/lib/ceplus/ceplus-agent" {
		t.Errorf("usr/local/bin/ceplus-agent links to %q (%v)", link, err)
	}
	state := filepath.Join(dest, "Library/Application Support/ceplus")
	if err := os.MkdirAll(state, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(state, "agent.crt"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if out := install(); !strings.Contains(out, "installed and started") {
		t.Errorf("install once enrolled said %q, want started", out)
	}
	install("uninstall")
	if _, err := os.Stat(filepath.Join(dest, "usr/local/lib/ceplus")); !os.IsNotExist(err) {
		t.Errorf("uninstall left usr/local/lib/ceplus (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(state, "agent.crt")); err != nil {
		t.Errorf("uninstall removed the state: %v", err)
	}
}
