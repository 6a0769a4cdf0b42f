package macos

import (
	"os"
	"strings"
	"testing"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/google/go-cmp/cmp"
)

func TestParseSwVers(t *testing.T) {
	tests := []struct {
		name string
		file string
		want inventory.Device
	}{
		{"macOS 14", "sw_vers-14.txt", inventory.Device{OSFamily: "macos", OSName: "macOS 14.5", OSVersion: "14.5", OSBuild: "23F79", Build: "macOS 14"}},
		{"macOS 15", "sw_vers-15.txt", inventory.Device{OSFamily: "macos", OSName: "macOS 15.2", OSVersion: "15.2", OSBuild: "24C101", Build: "macOS 15"}},
		{"macOS 13 with a Rapid Security Response", "sw_vers-13-rsr.txt", inventory.Device{OSFamily: "macos", OSName: "macOS 13.4.1 (c)", OSVersion: "13.4.1", OSBuild: "22F770820d", Build: "macOS 13"}},
		{"Mac OS X 10.15", "sw_vers-10.15.txt", inventory.Device{OSFamily: "macos", OSName: "macOS 10.15.7", OSVersion: "10.15.7", OSBuild: "19H2026", Build: "macOS 10.15"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := os.Open("testdata/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, err := parseSwVers(f)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("device (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := parseSwVers(strings.NewReader("sw_vers: command not found\n")); err == nil {
		t.Error("output without ProductVersion accepted")
	}
}
