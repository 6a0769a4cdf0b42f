package windows

import (
	"testing"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/google/go-cmp/cmp"
)

func TestDeviceFromCurrentVersion(t *testing.T) {
	const key = `HKEY_LOCAL_MACHINE\` + currentVersionPath
	tests := []struct {
		name   string
		values regValues
		want   inventory.Device
	}{
		{
			name:   "Windows 11 Pro 24H2 whose ProductName says Windows 10",
			values: valuesOf(t, "testdata/currentversion-win11-pro-24h2.txt", key),
			want: inventory.Device{OSFamily: "windows", OSName: "Windows 11 Pro", OSVersion: "11", Edition: "Pro",
				FeatureUpdate: "24H2", OSBuild: "26100.2605", Build: "Windows 11 Pro 24H2"},
		},
		{
			name:   "Windows 10 Enterprise 22H2",
			values: valuesOf(t, "testdata/currentversion-win10-enterprise-22h2.txt", key),
			want: inventory.Device{OSFamily: "windows", OSName: "Windows 10 Enterprise", OSVersion: "10", Edition: "Enterprise",
				FeatureUpdate: "22H2", OSBuild: "19045.5247", Build: "Windows 10 Enterprise 22H2"},
		},
		{
			name:   "Windows Server 2022 Standard",
			values: valuesOf(t, "testdata/currentversion-server2022-standard.txt", key),
			want: inventory.Device{OSFamily: "windows", OSName: "Windows Server 2022 Standard", OSVersion: "Server 2022", Edition: "Standard",
				FeatureUpdate: "21H2", OSBuild: "20348.2966", Build: "Windows Server 2022 Standard"},
		},
		{
			name: "Windows 10 1909 has ReleaseId only",
			values: regValues{"ProductName": "Windows 10 Pro", "EditionID": "Professional", "ReleaseId": "1909",
				"CurrentBuild": "18363", "UBR": uint64(2274), "InstallationType": "Client"},
			want: inventory.Device{OSFamily: "windows", OSName: "Windows 10 Pro", OSVersion: "10", Edition: "Pro",
				FeatureUpdate: "1909", OSBuild: "18363.2274", Build: "Windows 10 Pro 1909"},
		},
		{
			name: "Windows 11 Enterprise LTSC keeps the LTSC edition",
			values: regValues{"ProductName": "Windows 10 Enterprise LTSC 2024", "EditionID": "EnterpriseS", "DisplayVersion": "24H2",
				"CurrentBuild": "26100", "UBR": uint64(2605), "InstallationType": "Client"},
			want: inventory.Device{OSFamily: "windows", OSName: "Windows 11 Enterprise LTSC 2024", OSVersion: "11", Edition: "Enterprise LTSC 2024",
				FeatureUpdate: "24H2", OSBuild: "26100.2605", Build: "Windows 11 Enterprise LTSC 2024 24H2"},
		},
		{
			name: "Windows Server 2019 Datacenter Server Core",
			values: regValues{"ProductName": "Windows Server 2019 Datacenter", "EditionID": "ServerDatacenter", "ReleaseId": "1809",
				"CurrentBuild": "17763", "UBR": uint64(6659), "InstallationType": "Server Core"},
			want: inventory.Device{OSFamily: "windows", OSName: "Windows Server 2019 Datacenter", OSVersion: "Server 2019", Edition: "Datacenter",
				FeatureUpdate: "1809", OSBuild: "17763.6659", Build: "Windows Server 2019 Datacenter"},
		},
		{
			name: "Windows Server Annual Channel has no year, keeps the feature update",
			values: regValues{"ProductName": "Windows Server Datacenter", "EditionID": "ServerDatacenter", "DisplayVersion": "23H2",
				"CurrentBuild": "25398", "UBR": uint64(1308), "InstallationType": "Server Core"},
			want: inventory.Device{OSFamily: "windows", OSName: "Windows Server Datacenter", OSVersion: "Server", Edition: "Datacenter",
				FeatureUpdate: "23H2", OSBuild: "25398.1308", Build: "Windows Server Datacenter 23H2"},
		},
		{
			name:   "Windows 8.1 takes the version from ProductName",
			values: regValues{"ProductName": "Windows 8.1 Pro", "EditionID": "Professional", "CurrentBuild": "9600", "InstallationType": "Client"},
			want: inventory.Device{OSFamily: "windows", OSName: "Windows 8.1 Pro", OSVersion: "8.1", Edition: "Pro",
				OSBuild: "9600", Build: "Windows 8.1 Pro"},
		},
		{
			name:   "unknown ProductName falls back to EditionID",
			values: regValues{"ProductName": "Windows 10", "EditionID": "Education", "DisplayVersion": "22H2", "CurrentBuild": "19045", "InstallationType": "Client"},
			want: inventory.Device{OSFamily: "windows", OSName: "Windows 10 Education", OSVersion: "10", Edition: "Education",
				FeatureUpdate: "22H2", OSBuild: "19045", Build: "Windows 10 Education 22H2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := deviceFromCurrentVersion(tt.values)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("device (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDeviceFromCurrentVersionErrors(t *testing.T) {
	tests := []struct {
		name   string
		values regValues
	}{
		{"no build", regValues{"ProductName": "Windows 10 Pro"}},
		{"build not a number", regValues{"ProductName": "Windows 10 Pro", "CurrentBuild": "19045a"}},
		{"no product name", regValues{"CurrentBuild": "19045"}},
		{"old build, unknown name", regValues{"ProductName": "Microsoft Windows XP", "CurrentBuild": "2600"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d, err := deviceFromCurrentVersion(tt.values); err == nil {
				t.Errorf("no error, device %+v", d)
			}
		})
	}
}
