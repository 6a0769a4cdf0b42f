package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoWallClockNoIO enforces RULES.md §4 on the engine and its calendar: no file of either
// package (tests aside) reads the wall clock or does I/O of its own.
func TestNoWallClockNoIO(t *testing.T) {
	forbidden := []string{"time.Now(", "time.Since(", "time.Until(", `"os"`, `"net"`, `"net/http"`}
	files := 0
	for _, dir := range []string{".", filepath.Join("..", "calendar")} {
		paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			if strings.HasSuffix(p, "_test.go") {
				continue
			}
			files++
			src, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range forbidden {
				if strings.Contains(string(src), f) {
					t.Errorf("%s uses %s: rules take now as an input and do no I/O", p, f)
				}
			}
		}
	}
	if files < 10 {
		t.Fatalf("checked only %d files: the glob is broken", files)
	}
}
