package match

import "os"

// osTempDir makes a directory for the once-per-binary fixture snapshot; it is left for the OS
// to clean because sync.Once outlives any single test's t.TempDir.
func osTempDir() (string, error) { return os.MkdirTemp("", "ceplus-match-test-") }
