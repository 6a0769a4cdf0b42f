package windows

import (
	"os"
	"strings"
	"testing"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/google/go-cmp/cmp"
)

func TestParseWUA(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		wantLast string
		want     []inventory.PendingUpdate
	}{
		{name: "no missing updates", file: "wua-0-updates.json", wantLast: "2025-01-21T09:14:02", want: []inventory.PendingUpdate{}},
		{
			name: "three missing updates", file: "wua-3-updates.json", wantLast: "2025-01-21T09:14:02",
			want: []inventory.PendingUpdate{
				{
					Name: "KB5050009", Origin: "Windows Update", Security: true, Released: "2025-01-14", Severity: "Critical",
					Title: "2025-01 Cumulative Update for Windows 11 Version 24H2 for x64-based Systems (KB5050009)",
					IDs:   []string{"KB5050009", "CVE-2025-21298", "CVE-2025-21307"},
				},
				{
					Name: "KB2267602", Origin: "Windows Update", Security: false, Released: "2025-01-20",
					Title: "Security Intelligence Update for Microsoft Defender Antivirus - KB2267602 (Version 1.421.1733.0) - Current Channel (Broad)",
					IDs:   []string{"KB2267602"},
				},
				{
					Name: "KB5049622", Origin: "Windows Update", Security: true, Released: "2025-01-14", Severity: "Important",
					Title: "2025-01 Cumulative Update for .NET Framework 3.5 and 4.8.1 for Windows 11, version 24H2 for x64 (KB5049622)",
					IDs:   []string{"KB5049622"},
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := os.Open("testdata/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			res, got, err := parseWUA(f)
			if err != nil {
				t.Fatal(err)
			}
			if res.LastSearchSuccessDate != tt.wantLast || !res.Online {
				t.Errorf("result = %+v, want online, last search %s", res, tt.wantLast)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("pending updates (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPendingFromWUA(t *testing.T) {
	tests := []struct {
		name string
		in   wuaUpdate
		want inventory.PendingUpdate
	}{
		{
			name: "driver without KB is named by its update id",
			in:   wuaUpdate{UpdateID: "9f1e2d3c-0000-4000-8000-000000000001", Title: "Intel - System - 10.1.1.44", LastDeploymentChangeTime: "2024-05-07", Categories: []wuaCategory{{Name: "Drivers", CategoryID: "ebfc1fc5-71a4-4f7b-9aca-3b9a503104a0"}}},
			want: inventory.PendingUpdate{Name: "9f1e2d3c-0000-4000-8000-000000000001", Title: "Intel - System - 10.1.1.44", Released: "2024-05-07", Origin: "Windows Update"},
		},
		{
			name: "localised category name still counts by its id",
			in:   wuaUpdate{KBArticleIDs: stringList{"5050009"}, Categories: []wuaCategory{{Name: "Sicherheitsupdates", CategoryID: "0FA1201D-4330-4FA8-8AE9-B877473B6441"}}},
			want: inventory.PendingUpdate{Name: "KB5050009", Origin: "Windows Update", Security: true, IDs: []string{"KB5050009"}},
		},
		{
			name: "MSRC severity alone marks security; bulletin ids kept",
			in:   wuaUpdate{KBArticleIDs: stringList{"KB4012212"}, MsrcSeverity: "Critical", SecurityBulletinIDs: stringList{"MS17-010"}},
			want: inventory.PendingUpdate{Name: "KB4012212", Origin: "Windows Update", Security: true, Severity: "Critical", IDs: []string{"KB4012212", "MS17-010"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, pendingFromWUA(tt.in)); diff != "" {
				t.Errorf("pending update (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseWUAResultCode(t *testing.T) {
	in := `{"Online": false, "ResultCode": 3, "Updates": [{"KBArticleIDs": "5050009", "Title": "x"}]}`
	res, got, err := parseWUA(strings.NewReader(in))
	if err == nil || !strings.Contains(err.Error(), "result code 3 (succeeded with errors)") {
		t.Errorf("error = %v, want result code 3", err)
	}
	if res.ResultCode != resultSucceededWithErrors || len(got) != 1 || got[0].Name != "KB5050009" {
		t.Errorf("result %+v, updates %+v: want the update kept", res, got)
	}
	if _, _, err := parseWUA(strings.NewReader("")); err == nil {
		t.Error("empty output accepted")
	}
}

func TestWUASearchScript(t *testing.T) {
	if s := wuaSearchScript(false); !strings.HasPrefix(s, "$Online = $false\n") || !strings.Contains(s, "$searcher.Online = $Online") {
		t.Errorf("cached search script does not set Online: %.80q", s)
	}
	if s := wuaSearchScript(true); !strings.HasPrefix(s, "$Online = $true\n") {
		t.Errorf("online search script starts %.40q", s)
	}
}
