package pluginapi

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ceplus/ceplus/shared/inventory"
)

// startTest starts the test plugin of behaviour name with its correct checksum and a private
// socket directory, and closes it (checking no socket is left) when the test ends.
func startTest(t *testing.T, name string) *Client {
	t.Helper()
	path := filepath.Join(testPlugins, FileName(name, runtime.GOOS))
	sockets := t.TempDir()
	c, err := Start(t.Context(), StartConfig{Path: path, SHA256: checksum(t, path), SocketDir: sockets, Log: testLog{t}})
	if err != nil {
		t.Fatalf("Start(%s): %v", name, err)
	}
	t.Cleanup(func() {
		crashed := c.Exited()
		c.Close()
		if left, _ := filepath.Glob(filepath.Join(sockets, "*")); len(left) > 0 && !crashed {
			t.Errorf("sockets left after Close: %v", left)
		}
	})
	return c
}

func checksum(t *testing.T, path string) []byte {
	t.Helper()
	sum, err := HashFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return Entry{SHA256: sum}.Checksum()
}

type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Logf("plugin log: %s", strings.TrimSpace(string(b)))
	return len(b), nil
}

func TestStartDescribeCollect(t *testing.T) {
	c := startTest(t, "test-ok")
	d, err := c.Describe(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if d.APIVersion != APIVersion || d.Name != "test-ok" || d.Kind != KindPackages {
		t.Errorf("Describe = %+v", d)
	}
	res, err := c.Collect(t.Context(), Request{Root: "n=2"})
	if err != nil {
		t.Fatal(err)
	}
	want := []inventory.Package{
		{Name: "pkg-00000", Version: "1.2.3-4+deb12u1", SourceName: "src-00000", SourceVersion: "1.2.3-4+deb12u1", Ecosystem: "Debian:12", Arch: "amd64"},
		{Name: "pkg-00001", Version: "1.2.3-4+deb12u1", SourceName: "src-00001", SourceVersion: "1.2.3-4+deb12u1", Ecosystem: "Debian:12", Arch: "amd64"},
	}
	if diff := cmp.Diff(want, res.Packages); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
	if res.Device.OSFamily != inventory.FamilyDebian || res.Status.Status != inventory.Succeeded || len(res.PendingUpdates) != 1 {
		t.Errorf("result device %+v status %+v pending %d", res.Device, res.Status, len(res.PendingUpdates))
	}
}

func TestCollectLargeInventory(t *testing.T) {
	c := startTest(t, "test-ok")
	res, err := c.Collect(t.Context(), Request{Root: "n=25000"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Packages) != 25000 || res.Packages[24999].Name != "pkg-24999" {
		t.Fatalf("got %d packages, want 25000 in order", len(res.Packages))
	}
}

func TestTamperedBinaryRefused(t *testing.T) {
	orig := filepath.Join(testPlugins, FileName("test-ok", runtime.GOOS))
	b, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), FileName("test-ok", runtime.GOOS))
	if err := os.WriteFile(path, append(b, 0), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err = Start(t.Context(), StartConfig{Path: path, SHA256: checksum(t, orig), SocketDir: t.TempDir()})
	if !errors.Is(err, ErrTampered) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Start(tampered) = %v, want ErrTampered naming %s", err, path)
	}
	if err := CheckFile(path, Entry{SHA256: fmt.Sprintf("%x", checksum(t, orig))}); !errors.Is(err, ErrTampered) || !strings.Contains(err.Error(), path) {
		t.Fatalf("CheckFile(tampered) = %v, want ErrTampered naming %s", err, path)
	}
	if _, err := Start(t.Context(), StartConfig{Path: path}); err == nil {
		t.Fatal("Start without a checksum succeeded")
	}
}

func TestPanicIsRecovered(t *testing.T) {
	c := startTest(t, "test-panic")
	_, err := c.Collect(t.Context(), Request{Root: "/"})
	if status.Code(errors.Unwrap(err)) != codes.Internal || !strings.Contains(err.Error(), "panicked") {
		t.Fatalf("Collect(panic) = %v, want a gRPC Internal error about the panic", err)
	}
	if c.Exited() {
		t.Fatal("the plugin process died of a panic in its handler")
	}
	if _, err := c.Collect(t.Context(), Request{Root: "calm"}); err != nil {
		t.Fatalf("Collect after a recovered panic: %v", err)
	}
}

func TestCrashIsContained(t *testing.T) {
	c := startTest(t, "test-crash")
	_, err := c.Collect(t.Context(), Request{Root: "/"})
	if status.Code(errors.Unwrap(err)) != codes.Unavailable {
		t.Fatalf("Collect(crash) = %v, want Unavailable", err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for !c.Exited() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !c.Exited() {
		t.Fatal("client does not report the crashed plugin as exited")
	}
}

func TestHangTimesOut(t *testing.T) {
	c := startTest(t, "test-hang")
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Collect(ctx, Request{Root: "/"})
	if status.Code(errors.Unwrap(err)) != codes.DeadlineExceeded {
		t.Fatalf("Collect(hang) = %v, want DeadlineExceeded", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Collect(hang) returned after %v, want about 300ms", took)
	}
	start = time.Now()
	c.Close()
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Close of a hung plugin took %v", took)
	}
}

func TestNotApplicable(t *testing.T) {
	c := startTest(t, "test-na")
	_, err := c.Collect(t.Context(), Request{Root: "/srv/img"})
	if !errors.Is(err, ErrNotApplicable) || !strings.Contains(err.Error(), "/srv/img") {
		t.Fatalf("Collect(na) = %v, want ErrNotApplicable with the reason", err)
	}
}

func TestDescribeSubcommand(t *testing.T) {
	out, err := exec.CommandContext(t.Context(), filepath.Join(testPlugins, FileName("test-ok", runtime.GOOS)), "describe").Output()
	if err != nil {
		t.Fatal(err)
	}
	var d Description
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatalf("describe output %q: %v", out, err)
	}
	want := Description{APIVersion: APIVersion, Info: Info{Name: "test-ok", Version: "0.0.1-test", Kind: KindPackages,
		OS: []string{runtime.GOOS}, Description: "test plugin"}}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("describe (-want +got):\n%s", diff)
	}
}

func TestRunDirectlyRefuses(t *testing.T) {
	cmd := exec.CommandContext(t.Context(), filepath.Join(testPlugins, FileName("test-ok", runtime.GOOS)))
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "plugin") {
		t.Fatalf("running a plugin without the agent: err=%v out=%q, want a refusal", err, out)
	}
}

// TestKilledAgentLeavesNoPlugin SIGKILLs a host process (this test binary in host mode) and
// checks that its plugin goes too.
func TestKilledAgentLeavesNoPlugin(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("parent-death signal and /proc are Linux only")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	host := exec.CommandContext(t.Context(), exe, "-test.run=^$")
	host.Env = append(os.Environ(), "CEPLUS_TEST_HOST="+testPlugins, "CEPLUS_TEST_SOCKETS="+t.TempDir())
	out, err := host.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := host.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("host mode: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("host mode printed %q, want the plugin pid", line)
	}
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("plugin %d not running before the kill: %v", pid, err)
	}
	t.Cleanup(func() {
		if syscall.Kill(pid, 0) == nil {
			_ = syscall.Kill(pid, syscall.SIGKILL) // the test has failed already; do not leave the orphan behind
		}
	})
	if err := host.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = host.Wait() // killed on purpose: the exit status is an error by design
	deadline := time.Now().Add(3 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("plugin %d still running 3s after its agent was SIGKILLed", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// runTestHost is the host mode of the test binary: start the hanging plugin, print its pid,
// and wait to be killed.
func runTestHost() int {
	path := filepath.Join(os.Getenv("CEPLUS_TEST_HOST"), FileName("test-hang", runtime.GOOS))
	sum, err := HashFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := Start(ctx, StartConfig{Path: path, SHA256: Entry{SHA256: sum}.Checksum(), SocketDir: os.Getenv("CEPLUS_TEST_SOCKETS")})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(c.Pid())
	<-ctx.Done()
	c.Close()
	return 1
}
