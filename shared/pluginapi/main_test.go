package pluginapi

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// testPlugins is the directory holding the test plugin under each behaviour's name, built once
// per test binary by TestMain.
var testPlugins string

var testBehaviours = []string{"test-ok", "test-crash", "test-panic", "test-hang", "test-na", "test-discover", "test-discover-hang"}

func TestMain(m *testing.M) {
	if os.Getenv("CEPLUS_TEST_HOST") != "" {
		os.Exit(runTestHost())
	}
	dir, err := os.MkdirTemp("", "ceplus-pluginapi-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		if err := buildTestPlugins(dir, "./internal/testplugin", testBehaviours...); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		testPlugins = dir
		code := m.Run()
		if left := waitNoProcesses(dir, 3*time.Second); len(left) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: plugin processes left running after the tests: %v\n", left)
			return 1
		}
		return code
	}()
	if err := os.RemoveAll(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

// buildTestPlugins builds the Go main package pkg once and copies it into dir under the plugin
// file name of each behaviour.
func buildTestPlugins(dir, pkg string, behaviours ...string) error {
	bin := filepath.Join(dir, "testplugin.bin")
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build test plugin %s: %v\n%s", pkg, err, out)
	}
	b, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	for _, name := range behaviours {
		if err := os.WriteFile(filepath.Join(dir, FileName(name, runtime.GOOS)), b, 0o755); err != nil {
			return err
		}
	}
	return os.Remove(bin)
}

// waitNoProcesses waits up to d for every process whose executable lies in dir to end, and
// returns the ones still running (Linux only: elsewhere it returns nil).
func waitNoProcesses(dir string, d time.Duration) []string {
	deadline := time.Now().Add(d)
	for {
		left := processesIn(dir)
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func processesIn(dir string) []string {
	exes, err := filepath.Glob("/proc/[0-9]*/exe")
	if err != nil {
		return nil
	}
	var left []string
	for _, e := range exes {
		target, err := os.Readlink(e)
		if err != nil {
			continue // the process ended, or it is not ours to read
		}
		if strings.HasPrefix(target, dir+string(filepath.Separator)) {
			left = append(left, fmt.Sprintf("%s (%s)", target, filepath.Base(filepath.Dir(e))))
		}
	}
	return left
}
