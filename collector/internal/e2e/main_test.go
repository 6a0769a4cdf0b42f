package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/inventory"
)

// bin holds the binaries built once by TestMain.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ceplus-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cmd := exec.Command("go", "build", "-o", dir+string(os.PathSeparator), "github.com/ceplus/ceplus/collector/cmd/ceplus-collector", "github.com/ceplus/ceplus/agent/cmd/ceplus-agent")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build the binaries:", err)
		os.Exit(1)
	}
	bin = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a running ceplus process with its combined output captured.
type proc struct {
	t    *testing.T
	name string
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

func (p *proc) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Write(b)
}

// Output returns everything the process wrote so far.
func (p *proc) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

func start(t *testing.T, name string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, name: name, done: make(chan struct{})}
	p.cmd = exec.Command(filepath.Join(bin, args[0]), args[1:]...)
	p.cmd.Stdout, p.cmd.Stderr = p, p
	p.cmd.Env = append(os.Environ(), "QUIC_GO_DISABLE_RECEIVE_BUFFER_WARNING=true")
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("--- output of %s ---\n%s", name, p.Output())
		}
	})
	return p
}

// stop ends the process with SIGTERM and waits for it.
func (p *proc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// kill ends the process with SIGKILL, as a crash.
func (p *proc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// run runs a ceplus command to completion and returns its stdout, stderr and exit code.
func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(bin, args[0]), args[1:]...)
	cmd.Env = append(os.Environ(), "QUIC_GO_DISABLE_RECEIVE_BUFFER_WARNING=true")
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return o.String(), e.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", args, err)
	}
	return o.String(), e.String(), 0
}

// must runs a command that must succeed and returns its stdout.
func must(t *testing.T, args ...string) string {
	t.Helper()
	o, e, code := run(t, args...)
	if code != 0 {
		t.Fatalf("%v exited %d:\n%s%s", args, code, o, e)
	}
	return o
}

// waitFor polls cond until it holds or the deadline passes; it waits on processes, it does
// not measure them.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// writeInventory writes a recorded inventory of n packages; variant changes every version.
func writeInventory(t *testing.T, path, hostname string, n, variant int) string {
	t.Helper()
	inv := inventory.Inventory{
		Schema: inventory.SchemaVersion, CollectedAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
		Device: inventory.Device{Hostname: hostname, MachineID: "mid-" + hostname, OSFamily: inventory.FamilyDebian,
			OSName: "Debian GNU/Linux", OSVersion: "12.5", Arch: "amd64", Ecosystem: "Debian:12", Build: "Debian 12"},
		Packages:       make([]inventory.Package, n),
		PendingUpdates: []inventory.PendingUpdate{},
		Sources:        []inventory.SourceStatus{{Name: "dpkg", Status: inventory.Succeeded, DurationMS: 12}},
	}
	for i := range inv.Packages {
		v := fmt.Sprintf("1.%d.%d-%d", i%7, variant, i%5)
		inv.Packages[i] = inventory.Package{Name: fmt.Sprintf("pkg-%04d", i), Version: v, SourceName: fmt.Sprintf("src-%04d", i/2),
			SourceVersion: v, Ecosystem: "Debian:12", Arch: "amd64"}
	}
	b, err := json.Marshal(inv)
	if err != nil {
		t.Fatal(err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil { // agents must never read a half-written file
		t.Fatal(err)
	}
	return inv.ContentHash()
}

// logLines returns the values of key in the log lines of out that contain msg.
func logValues(out, msg, key string) []string {
	var vals []string
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.Contains(line, `msg="`+msg+`"`) {
			continue
		}
		for _, f := range strings.Fields(line) {
			if v, ok := strings.CutPrefix(f, key+"="); ok {
				vals = append(vals, strings.Trim(v, `"`))
			}
		}
	}
	return vals
}
