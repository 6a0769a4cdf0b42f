package windows

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPSDate(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"null", `null`, ""},
		{"empty", `""`, ""},
		{"plain date", `"2024-11-13"`, "2024-11-13"},
		{"PowerShell 7 ISO", `"2024-11-13T00:00:00"`, "2024-11-13"},
		{"PowerShell 7 ISO with offset", `"2024-11-13T00:00:00+01:00"`, "2024-11-13"},
		{"5.1 /Date(ms)/ is UTC", `"\/Date(1731456000000)\/"`, "2024-11-13"},
		{"5.1 /Date(ms)/ local midnight east of UTC reads as the day before", `"\/Date(1731452400000)\/"`, "2024-11-12"},
		{"/Date(ms+offset)/ applies the offset", `"\/Date(1731452400000+0100)\/"`, "2024-11-13"},
		{"5.1 wrapped DateTime", `{"value": "\/Date(1731456000000)\/", "DateTime": "Wednesday, November 13, 2024 12:00:00 AM"}`, "2024-11-13"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d psDate
			if err := json.Unmarshal([]byte(tt.in), &d); err != nil {
				t.Fatal(err)
			}
			if string(d) != tt.want {
				t.Errorf("date = %q, want %q", d, tt.want)
			}
		})
	}
	for _, bad := range []string{`"11/13/2024"`, `{"DateTime": "Wednesday"}`, `12`} {
		var d psDate
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("%s: no error, got %q", bad, d)
		}
	}
}

func TestStringList(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want stringList
	}{
		{"array", `["5050009", "5050010"]`, stringList{"5050009", "5050010"}},
		{"unrolled single value", `"5050009"`, stringList{"5050009"}},
		{"null", `null`, nil},
		{"5.1 empty array", "[\r\n\r\n    ]", stringList{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got stringList
			if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("list (-want +got):\n%s", diff)
			}
		})
	}
}
