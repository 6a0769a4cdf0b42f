package match

import (
	"fmt"
	"os"
	"sync"
	"testing"
)

var (
	tempMu   sync.Mutex
	tempDirs []string
)

// osTempDir makes a directory for a once-per-binary snapshot (sync.Once outlives any single
// test's t.TempDir); TestMain removes it when the tests and benchmarks are done.
func osTempDir() (string, error) {
	dir, err := os.MkdirTemp("", "ceplus-match-test-")
	if err == nil {
		tempMu.Lock()
		tempDirs = append(tempDirs, dir)
		tempMu.Unlock()
	}
	return dir, err
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range tempDirs {
		if err := os.RemoveAll(d); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}
