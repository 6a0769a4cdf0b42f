package windows

import (
	"encoding/base64"
	"os"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/ceplus/ceplus/shared/command"
)

func TestPowershellArgs(t *testing.T) {
	script := "$x = 'Größe ✓'\nWrite-Output $x"
	args := powershellArgs(script)
	want := []string{"-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-EncodedCommand"}
	if len(args) != len(want)+1 || strings.Join(args[:len(want)], " ") != strings.Join(want, " ") {
		t.Fatalf("args = %q", args)
	}
	b, err := base64.StdEncoding.DecodeString(args[len(want)])
	if err != nil {
		t.Fatal(err)
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	if got := string(utf16.Decode(u)); got != script {
		t.Errorf("decoded script = %q, want %q", got, script)
	}
}

func TestCleanStderr(t *testing.T) {
	clixml, err := os.ReadFile("testdata/wua-stderr-clixml.txt")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, in, want string
	}{
		{"CLIXML error records", string(clixml), "Exception from HRESULT: 0x8024402C At line:13 char:1 + $result = $searcher.Search('IsInstalled=0 and IsHidden=0') + " + strings.Repeat("~", 62) + " + CategoryInfo : OperationStopped: (:) [], COMException + FullyQualifiedErrorId : System.Runtime.InteropServices.COMException"},
		{"plain text", "Get-HotFix : Access is denied.\r\nAt line:1 char:1\r\n", "Get-HotFix : Access is denied. At line:1 char:1"},
		{"empty", "\r\n", ""},
		{"long is bounded", strings.Repeat("x", 3000), strings.Repeat("x", command.MaxStderr) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cleanStderr([]byte(tt.in)); got != tt.want {
				t.Errorf("cleanStderr =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}
