package backend

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name         string
		dataDir, url string
		wantLocation string // prefix; "" means Open must fail
		wantErr      string
	}{
		{"sqlite by default", dir, "", filepath.Join(dir, "ceplus.db"), ""},
		{"sqlite in a new directory", filepath.Join(dir, "new", "data"), "", filepath.Join(dir, "new", "data", "ceplus.db"), ""},
		{"nothing given", "", "", "", "neither --data nor --store"},
		{"unknown scheme", dir, "mysql://root:pw@127.0.0.1/x", "", `scheme "mysql" is not supported`},
		{"password not echoed", dir, "redis://u:hunter2@127.0.0.1/", "", "xxxxx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(t.Context(), tt.dataDir, tt.url)
			if tt.wantLocation == "" {
				if err == nil {
					s.Close()
					t.Fatal("Open succeeded")
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %q does not contain %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Errorf("error %q shows the password", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got := s.Location(); got != tt.wantLocation {
				t.Errorf("Location = %q, want %q", got, tt.wantLocation)
			}
			if _, err := os.Stat(tt.wantLocation); err != nil {
				t.Errorf("database file: %v", err)
			}
		})
	}
}
