package assess

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseScopeCSV(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []ScopeDevice
		wantErr string
	}{
		{name: "all columns, any order, addresses split",
			in: "build,id,type,hostname,machine_id,addresses\nDebian 12,deb-1,desktop,deb-1.example,m1,192.0.2.1;192.0.2.2 fe80::1\n# a comment\nmacOS 14,mac-1,LAPTOP,,,\n",
			want: []ScopeDevice{
				{ID: "deb-1", Type: "desktop", Build: "Debian 12", Hostname: "deb-1.example", MachineID: "m1", Addresses: []string{"192.0.2.1", "192.0.2.2", "fe80::1"}},
				{ID: "mac-1", Type: "laptop", Build: "macOS 14"},
			}},
		{name: "required columns only", in: "id,type,build\npc-1,laptop,Windows 11 Pro 24H2\n",
			want: []ScopeDevice{{ID: "pc-1", Type: "laptop", Build: "Windows 11 Pro 24H2"}}},
		{name: "empty", in: "", wantErr: "scope CSV is empty"},
		{name: "missing build column", in: "id,type\npc-1,laptop\n", wantErr: `line 1: column "build" is missing`},
		{name: "unknown column", in: "id,type,build,owner\n", wantErr: `line 1: unknown column "owner"`},
		{name: "unknown type names the line", in: "id,type,build\npc-1,laptop,W\npc-2,phone,W\n", wantErr: "line 3:"},
		{name: "empty build", in: "id,type,build\npc-1,laptop,\n", wantErr: "line 2:"},
		{name: "duplicate id names both lines", in: "id,type,build\npc-1,laptop,W\npc-2,laptop,W\npc-1,laptop,W\n", wantErr: `line 4: device id "pc-1" repeats line 2`},
		{name: "short line", in: "id,type,build\npc-1,laptop\n", wantErr: "line 2: 2 fields, the header has 3"},
		{name: "header only", in: "id,type,build\n", wantErr: "no devices"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseScopeCSV(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrInvalid) {
					t.Fatalf("error = %v, want ErrInvalid containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("devices (-want +got):\n%s", diff)
			}
		})
	}
}
