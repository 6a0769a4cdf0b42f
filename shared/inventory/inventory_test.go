package inventory

import (
	"testing"
	"time"
)

func TestBuildKey(t *testing.T) {
	tests := []struct {
		name string
		dev  Device
		want string
	}{
		{"debian", Device{OSFamily: FamilyDebian, OSVersion: "12"}, "Debian 12"},
		{"ubuntu keeps the release", Device{OSFamily: FamilyUbuntu, OSVersion: "24.04"}, "Ubuntu 24.04"},
		{"alpine branch", Device{OSFamily: FamilyAlpine, OSVersion: "3.20.3"}, "Alpine 3.20"},
		{"rocky major", Device{OSFamily: FamilyRocky, OSVersion: "9.4"}, "Rocky Linux 9"},
		{"windows pro 24H2", Device{OSFamily: FamilyWindows, OSVersion: "11", Edition: "Pro", FeatureUpdate: "24H2"}, "Windows 11 Pro 24H2"},
		{"windows pro 23H2 differs", Device{OSFamily: FamilyWindows, OSVersion: "11", Edition: "Pro", FeatureUpdate: "23H2"}, "Windows 11 Pro 23H2"},
		{"windows enterprise", Device{OSFamily: FamilyWindows, OSVersion: "11", Edition: "Enterprise", FeatureUpdate: "24H2"}, "Windows 11 Enterprise 24H2"},
		{"macos major", Device{OSFamily: FamilyMacOS, OSVersion: "14.5"}, "macOS 14"},
		{"macos 10.x major is two numbers", Device{OSFamily: FamilyMacOS, OSVersion: "10.15.7"}, "macOS 10.15"},
		{"windows server year release omits its fixed feature update", Device{OSFamily: FamilyWindows, OSVersion: "Server 2022", Edition: "Standard", FeatureUpdate: "21H2"}, "Windows Server 2022 Standard"},
		{"windows server R2", Device{OSFamily: FamilyWindows, OSVersion: "Server 2012 R2", Edition: "Datacenter", FeatureUpdate: ""}, "Windows Server 2012 R2 Datacenter"},
		{"windows server annual channel keeps it", Device{OSFamily: FamilyWindows, OSVersion: "Server", Edition: "Datacenter", FeatureUpdate: "23H2"}, "Windows Server Datacenter 23H2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := BuildKey(tt.dev); got != tt.want {
				t.Errorf("BuildKey = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestContentHashIgnoresIdentityAndOrder(t *testing.T) {
	a := Merge(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), []Result{{
		Device:   Device{Hostname: "a", MachineID: "1", OSFamily: FamilyDebian, OSVersion: "12"},
		Packages: []Package{{Name: "zlib1g", Version: "1:1.2.13.dfsg-1"}, {Name: "bash", Version: "5.2.15-2+b7"}},
		Status:   SourceStatus{Name: "dpkg", Status: Succeeded, DurationMS: 3},
	}})
	b := Merge(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), []Result{{
		Device:   Device{Hostname: "b", MachineID: "2", OSFamily: FamilyDebian, OSVersion: "12"},
		Packages: []Package{{Name: "bash", Version: "5.2.15-2+b7"}, {Name: "zlib1g", Version: "1:1.2.13.dfsg-1"}},
		Status:   SourceStatus{Name: "dpkg", Status: Succeeded, DurationMS: 9},
	}})
	if a.ContentHash() != b.ContentHash() {
		t.Fatalf("identical content, different hashes")
	}
	if a.Device.Build != "Debian 12" {
		t.Errorf("merged build = %q", a.Device.Build)
	}
	b.Packages[0].Version = "5.2.15-2+b8"
	if a.ContentHash() == b.ContentHash() {
		t.Fatalf("a changed version left the hash unchanged")
	}
}

func TestValidate(t *testing.T) {
	good := Merge(time.Unix(0, 0), []Result{{Device: Device{OSFamily: FamilyDebian, OSVersion: "12"}, Status: SourceStatus{Name: "dpkg", Status: Succeeded}}})
	if err := good.Validate(); err != nil {
		t.Fatalf("valid inventory: %v", err)
	}
	bad := *good
	bad.Packages = []Package{{Name: "bash"}}
	if err := bad.Validate(); err == nil {
		t.Error("package without version accepted")
	}
	bad = *good
	bad.Sources = []SourceStatus{{Name: "x", Status: "ok"}}
	if err := bad.Validate(); err == nil {
		t.Error("unknown source status accepted")
	}
}
