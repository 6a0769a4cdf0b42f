package windows

import (
	"testing"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/google/go-cmp/cmp"
)

func TestApplicationsFromUninstall(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []inventory.Application
	}{
		{
			name: "HKLM: empty legacy keys, SystemComponent runtime dropped",
			file: "uninstall-hklm.txt",
			want: []inventory.Application{
				{Name: "7-Zip 24.08 (x64)", Version: "24.08", Publisher: "Igor Pavlov", ID: "7-Zip"},
				{Name: "Mozilla Firefox (x64 en-GB)", Version: "133.0.3", Publisher: "Mozilla", ID: "Mozilla Firefox 133.0.3 (x64 en-GB)"},
				{Name: "Adobe Acrobat (64-bit)", Version: "24.005.20320", Publisher: "Adobe", ID: "{AC76BA86-1033-1033-7760-BC15014EA700}"},
			},
		},
		{
			name: "WOW6432Node: SystemComponent 0 kept, 1 dropped",
			file: "uninstall-wow6432node.txt",
			want: []inventory.Application{
				{Name: "Microsoft Edge", Version: "131.0.2903.112", Publisher: "Microsoft Corporation", ID: "Microsoft Edge"},
				{Name: "Microsoft Visual C++ 2015-2022 Redistributable (x64) - 14.42.34433", Version: "14.42.34433.0", Publisher: "Microsoft Corporation", ID: "{804e6fc3-3ae6-4e6a-8ad8-7b2b0d1b0b2c}"},
				{Name: "Notepad++ (32-bit x86)", Version: "8.7.4", Publisher: "Notepad++ Team", ID: "Notepad++"},
			},
		},
		{
			name: "HKCU: per-user installs; SystemComponent written as a string",
			file: "uninstall-hkcu.txt",
			want: []inventory.Application{
				{Name: "Microsoft OneDrive", Version: "24.244.1204.0003", Publisher: "Microsoft Corporation", ID: "OneDriveSetup.exe"},
				{Name: "Microsoft Visual Studio Code (User)", Version: "1.96.2", Publisher: "Microsoft Corporation", ID: "{771FD6B0-FA20-440A-A002-3B3BAC16DC50}_is1"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys := parseRegQuery(t, "testdata/"+tt.file)
			// reg query /s lists the Uninstall key itself first; the reader passes subkeys only.
			got := applicationsFromUninstall(keys[1:])
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("applications (-want +got):\n%s", diff)
			}
		})
	}
}
