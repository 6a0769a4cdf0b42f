package osrelease

import (
	"strings"
	"testing"
)

func TestDeviceAndEcosystem(t *testing.T) {
	tests := []struct {
		name, text, family, version, eco string
	}{
		{"debian 12", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n", "debian", "12", "Debian:12"},
		{"ubuntu lts", "NAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\nVERSION=\"22.04.4 LTS (Jammy Jellyfish)\"\nID=ubuntu\nID_LIKE=debian\n", "ubuntu", "22.04", "Ubuntu:22.04:LTS"},
		{"ubuntu interim", "NAME=\"Ubuntu\"\nVERSION_ID=\"24.10\"\nVERSION=\"24.10 (Oracular Oriole)\"\nID=ubuntu\n", "ubuntu", "24.10", "Ubuntu:24.10"},
		{"alpine", "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.20.3\n", "alpine", "3.20.3", "Alpine:v3.20"},
		{"rocky", "NAME=\"Rocky Linux\"\nVERSION_ID=\"9.4\"\nID=\"rocky\"\n", "rocky", "9.4", "Rocky Linux:9"},
		{"comment and single quotes", "# c\nID='almalinux'\nVERSION_ID='9.3'\n", "almalinux", "9.3", "AlmaLinux:9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kv, err := Parse(strings.NewReader(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			d := Device(kv)
			if d.OSFamily != tt.family || d.OSVersion != tt.version || d.Ecosystem != tt.eco {
				t.Errorf("got family=%q version=%q eco=%q, want %q %q %q", d.OSFamily, d.OSVersion, d.Ecosystem, tt.family, tt.version, tt.eco)
			}
		})
	}
}
