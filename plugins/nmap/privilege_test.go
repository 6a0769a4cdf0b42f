package nmap

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/discovery"
)

// checkUnprivileged asserts the degradation of an unprivileged run that asked for OS detection.
func checkUnprivileged(t *testing.T, res discovery.Result, port uint16) {
	t.Helper()
	if res.Run.Privileged || res.Run.ScanType != "connect" {
		t.Errorf("privileged %v scan %q, want false and connect", res.Run.Privileged, res.Run.ScanType)
	}
	if !slices.Contains(res.Run.Args, "-sT") || slices.Contains(res.Run.Args, "-O") || slices.Contains(res.Run.Args, "-sS") {
		t.Errorf("args %v: want -sT and neither -sS nor -O", res.Run.Args)
	}
	w := strings.Join(res.Run.Warnings, "\n")
	for _, want := range []string{"connect scan", "OS detection needs root"} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings %q do not say %q", w, want)
		}
	}
	h := findHost(t, res, "127.0.0.1")
	if h.OS != nil {
		t.Errorf("OS guess %+v from an unprivileged scan", h.OS)
	}
	s := findService(t, h, port)
	if s.Product != "OpenSSH" || s.Version != "7.4" {
		t.Errorf("service %+v: a connect scan still detects OpenSSH 7.4", s)
	}
}

// TestDiscoverForcedUnprivileged runs nmap with --unprivileged even as root.
func TestDiscoverForcedUnprivileged(t *testing.T) {
	requireNmap(t)
	ssh := listen(t, "127.0.0.1", sshBanner("SSH-2.0-OpenSSH_7.4"))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := safeDiscover(t, ctx, Options{
		Targets: []string{"127.0.0.1"}, Ports: ports(ssh.addr), Service: ServiceLight, OSDetection: true,
		Unprivileged: true, AllowedPrefixes: loopback,
	}, nil)
	if err != nil {
		t.Fatalf("Discover: %v", err)
	}
	if !slices.Contains(res.Run.Args, "--unprivileged") {
		t.Errorf("args %v lack --unprivileged", res.Run.Args)
	}
	checkUnprivileged(t, res, ssh.addr.Port())
}

const nobodyPortEnv = "CEPLUS_NMAP_TEST_NOBODY_PORT"

// TestDiscoverAsNobody runs a copy of this test binary as nobody (setpriv) against a banner this
// test serves on 127.0.0.1: nmap itself decides it has no raw sockets.
func TestDiscoverAsNobody(t *testing.T) {
	requireNmap(t)
	if os.Getenv(nobodyPortEnv) != "" {
		t.Skip("inside the nobody helper")
	}
	if os.Geteuid() != 0 {
		t.Skip("SKIPPING: needs root to switch to nobody; TestDiscoverForcedUnprivileged covers the degradation")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("SKIPPING: setpriv not installed (util-linux); TestDiscoverForcedUnprivileged covers the degradation")
	}
	ssh := listen(t, "127.0.0.1", sshBanner("SSH-2.0-OpenSSH_7.4"))
	dir, err := os.MkdirTemp("", "ceplus-nmap-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "nmap.test")
	if err := copyFile(os.Args[0], bin); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
		bin, "-test.run=^TestHelperDiscoverAsNobody$", "-test.count=1")
	cmd.Env = append(os.Environ(), nobodyPortEnv+"="+strconv.Itoa(int(ssh.addr.Port())))
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper as nobody: %v\n%s", err, out)
	}
	_, js, ok := strings.Cut(string(out), "RESULT:")
	if !ok {
		t.Fatalf("helper printed no result:\n%s", out)
	}
	js, _, _ = strings.Cut(js, "\n")
	var res discovery.Result
	if err := json.Unmarshal([]byte(js), &res); err != nil {
		t.Fatalf("helper result: %v\n%s", err, out)
	}
	if slices.Contains(res.Run.Args, "--unprivileged") {
		t.Errorf("args %v: as nobody, nmap should not need to be told", res.Run.Args)
	}
	checkUnprivileged(t, res, ssh.addr.Port())
}

// TestHelperDiscoverAsNobody is run by TestDiscoverAsNobody as nobody; on its own it skips.
func TestHelperDiscoverAsNobody(t *testing.T) {
	port := os.Getenv(nobodyPortEnv)
	if port == "" {
		t.Skip("helper for TestDiscoverAsNobody")
	}
	if os.Geteuid() == 0 {
		t.Fatal("the helper runs as root: setpriv did not drop privileges")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := safeDiscover(t, ctx, Options{
		Targets: []string{"127.0.0.1"}, Ports: port, Service: ServiceLight, OSDetection: true, AllowedPrefixes: loopback,
	}, nil)
	if err != nil {
		t.Fatalf("Discover as nobody: %v", err)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.WriteString("RESULT:")
	buf.Write(b)
	buf.WriteByte('\n')
	if _, err := os.Stdout.Write(buf.Bytes()); err != nil {
		t.Fatal(err)
	}
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// TestDiscoverOSDetectionAsRoot asks for -O on loopback, where nmap sees this machine's kernel.
func TestDiscoverOSDetectionAsRoot(t *testing.T) {
	requireNmap(t)
	if os.Geteuid() != 0 {
		t.Skip("SKIPPING: OS detection needs root; TestDiscoverForcedUnprivileged covers its absence")
	}
	ssh := listen(t, "127.0.0.1", sshBanner("SSH-2.0-OpenSSH_7.4"))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := safeDiscover(t, ctx, Options{Targets: []string{"127.0.0.1"}, Ports: ports(ssh.addr), OSDetection: true,
		AllowedPrefixes: loopback}, nil)
	if err != nil {
		t.Fatalf("Discover: %v", err)
	}
	if !res.Run.Privileged || !slices.Contains(res.Run.Args, "-O") {
		t.Errorf("privileged %v args %v, want a privileged run with -O", res.Run.Privileged, res.Run.Args)
	}
	h := findHost(t, res, "127.0.0.1")
	if h.OS == nil || runtime.GOOS == "linux" && !strings.Contains(h.OS.Name, "Linux") || h.OS.Accuracy < 50 || h.OS.Accuracy > 100 {
		t.Errorf("OS guess %+v, want a Linux match with an accuracy in percent", h.OS)
	}
}
