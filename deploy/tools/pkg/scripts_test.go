package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// scriptRoot is a temporary install root with a stub systemctl that logs its calls and
// answers is-enabled with $STUB_ENABLED (0 enabled, 1 disabled).
type scriptRoot struct {
	t    *testing.T
	dir  string
	bin  string
	log  string
	pkg  string
	seen int
}

func newScriptRoot(t *testing.T, pkg string, systemd bool) *scriptRoot {
	t.Helper()
	r := &scriptRoot{t: t, dir: t.TempDir(), bin: t.TempDir(), pkg: pkg}
	r.log = filepath.Join(r.bin, "calls")
	stub := "#!/bin/sh\necho \"$*\" >> " + r.log + "\nif [ \"$1\" = is-enabled ]; then exit \"${STUB_ENABLED:-1}\"; fi\nexit 0\n"
	if err := os.WriteFile(filepath.Join(r.bin, "systemctl"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	if systemd {
		r.mkdir("run/systemd/system")
	}
	return r
}

func (r *scriptRoot) mkdir(p string) {
	if err := os.MkdirAll(filepath.Join(r.dir, p), 0o755); err != nil {
		r.t.Fatal(err)
	}
}

func (r *scriptRoot) touch(p string) {
	r.mkdir(filepath.Dir(p))
	if err := os.WriteFile(filepath.Join(r.dir, p), nil, 0o600); err != nil {
		r.t.Fatal(err)
	}
}

// run runs shell text (a script's content) with args and returns the systemctl calls it made
// and its output.
func (r *scriptRoot) run(text string, env []string, args ...string) (calls, out string) {
	r.t.Helper()
	cmd := exec.Command("sh", append([]string{"-c", text, "sh"}, args...)...)
	cmd.Env = append(os.Environ(), append(env, "DPKG_ROOT="+r.dir, "PATH="+r.bin+":"+os.Getenv("PATH"))...)
	b, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("%s %v: %v\n%s", r.pkg, args, err, b)
	}
	all, err := os.ReadFile(r.log)
	if err != nil && !os.IsNotExist(err) {
		r.t.Fatal(err)
	}
	calls = strings.ReplaceAll(strings.TrimSpace(string(all[r.seen:])), "\n", "; ")
	r.seen = len(all)
	return calls, string(b)
}

func (r *scriptRoot) script(name string) string {
	b, err := os.ReadFile(filepath.Join("..", "..", "package", r.pkg, name))
	if err != nil {
		r.t.Fatal(err)
	}
	return string(b)
}

func (r *scriptRoot) exists(p string) bool {
	_, err := os.Lstat(filepath.Join(r.dir, p))
	return err == nil
}

func TestScriptsParse(t *testing.T) {
	files, err := filepath.Glob("../../package/*/*")
	if err != nil || len(files) != 6 {
		t.Fatalf("maintainer scripts: %v, %v; want 3 for each of 2 packages", files, err)
	}
	for _, f := range files {
		if out, err := exec.Command("sh", "-n", f).CombinedOutput(); err != nil {
			t.Errorf("sh -n %s: %v\n%s", f, err, out)
		}
		if st, err := os.Stat(f); err != nil || st.Mode().Perm() != 0o755 {
			t.Errorf("%s: %v, %v; want mode 0755", f, st, err)
		}
	}
}

// TestAgentScripts checks that an agent that is not enrolled is never enabled or started, an
// enrolled one is, an upgrade restarts only an enabled agent, and only purge deletes the state.
func TestAgentScripts(t *testing.T) {
	const unit = "ceplus-agent.service"
	tests := []struct {
		name, script string
		enrolled     bool
		enabled      string
		args         []string
		want         string
	}{
		{"install, not enrolled", "postinst", false, "1", []string{"configure", ""}, "daemon-reload"},
		{"install, enrolled", "postinst", true, "1", []string{"configure", ""}, "daemon-reload; enable " + unit + "; start " + unit},
		{"upgrade, enabled", "postinst", true, "0", []string{"configure", "0.1.0"}, "daemon-reload; is-enabled --quiet " + unit + "; try-restart " + unit},
		{"upgrade, disabled", "postinst", true, "1", []string{"configure", "0.1.0"}, "daemon-reload; is-enabled --quiet " + unit},
		{"upgrade, not enrolled", "postinst", false, "0", []string{"configure", "0.1.0"}, "daemon-reload"},
		{"remove", "prerm", true, "0", []string{"remove"}, "stop " + unit + "; disable " + unit},
		{"upgrade prerm", "prerm", true, "0", []string{"upgrade", "0.2.0"}, ""},
		{"postrm remove", "postrm", true, "0", []string{"remove"}, "daemon-reload"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newScriptRoot(t, "ceplus-agent", true)
			if tt.enrolled {
				r.touch("var/lib/ceplus/agent.crt")
			}
			calls, out := r.run(r.script(tt.script), []string{"STUB_ENABLED=" + tt.enabled}, tt.args...)
			if calls != tt.want {
				t.Errorf("systemctl calls %q, want %q", calls, tt.want)
			}
			if tt.script == "postinst" && !tt.enrolled && tt.args[1] == "" && !strings.Contains(out, "not enrolled") {
				t.Errorf("postinst of an agent not enrolled said %q, want how to enrol", out)
			}
		})
	}
	t.Run("state kept on remove, deleted on purge", func(t *testing.T) {
		r := newScriptRoot(t, "ceplus-agent", false)
		r.touch("var/lib/ceplus/agent.crt")
		r.touch("var/lib/private/ceplus/agent.key")
		if calls, _ := r.run(r.script("postrm"), nil, "remove"); calls != "" || !r.exists("var/lib/ceplus/agent.crt") {
			t.Errorf("postrm remove without systemd: calls %q, state kept %v; want no calls and the state kept", calls, r.exists("var/lib/ceplus/agent.crt"))
		}
		r.run(r.script("postrm"), nil, "purge")
		if r.exists("var/lib/ceplus") || r.exists("var/lib/private/ceplus") {
			t.Error("postrm purge left the agent's state")
		}
	})
}

// TestCollectorScripts checks the collector's first install, upgrade and that purge keeps the
// audit data.
func TestCollectorScripts(t *testing.T) {
	const unit = "ceplus-collector.service"
	r := newScriptRoot(t, "ceplus-collector", true)
	if calls, _ := r.run(r.script("postinst"), nil, "configure", ""); calls != "daemon-reload; enable "+unit+"; start "+unit {
		t.Errorf("first install: systemctl %q, want daemon-reload, enable, start", calls)
	}
	if calls, _ := r.run(r.script("postinst"), []string{"STUB_ENABLED=0"}, "configure", "0.1.0"); !strings.HasSuffix(calls, "try-restart "+unit) {
		t.Errorf("upgrade: systemctl %q, want try-restart", calls)
	}
	r.touch("var/lib/ceplus-collector/store.db")
	if _, out := r.run(r.script("postrm"), nil, "purge"); !r.exists("var/lib/ceplus-collector/store.db") || !strings.Contains(out, "kept") {
		t.Errorf("purge deleted the collector's data or did not say it kept it (%q)", out)
	}
}

// TestRPMScriptlets checks that RPM's instance counts reach the scripts as Debian's arguments.
func TestRPMScriptlets(t *testing.T) {
	const unit = "ceplus-agent.service"
	want := map[string]map[string]string{
		"postinst": {"1": "daemon-reload; enable " + unit + "; start " + unit, "2": "daemon-reload; is-enabled --quiet " + unit + "; try-restart " + unit},
		"prerm":    {"0": "stop " + unit + "; disable " + unit, "1": ""},
		"postrm":   {"0": "daemon-reload", "1": ""},
	}
	for _, s := range rpmScriptlets {
		for count, calls := range want[s.script] {
			r := newScriptRoot(t, "ceplus-agent", true)
			r.touch("var/lib/ceplus/agent.crt")
			if got, _ := r.run(scriptlet(s.args, []byte(r.script(s.script))), []string{"STUB_ENABLED=0"}, count); got != calls {
				t.Errorf("%s with $1=%s: systemctl %q, want %q", s.section, count, got, calls)
			}
		}
	}
}
