package windows

import (
	"encoding/base64"
	"html"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/ceplus/ceplus/shared/command"
)

// powershellArgs returns the arguments that run script in Windows PowerShell without profiles,
// prompts or execution policy, passed as -EncodedCommand (base64 of UTF-16LE) so that no
// quoting of the script can go wrong.
func powershellArgs(script string) []string {
	u := utf16.Encode([]rune(script))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i] = byte(c)
		b[2*i+1] = byte(c >> 8)
	}
	return []string{"-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-EncodedCommand", base64.StdEncoding.EncodeToString(b)}
}

var (
	clixmlString = regexp.MustCompile(`(?s)<S S="Error">(.*?)</S>`)
	clixmlEscape = regexp.MustCompile(`_x([0-9A-Fa-f]{4})_`)
)

// cleanStderr makes a command's standard error fit for a status error. Windows PowerShell run
// with -EncodedCommand and redirected output writes its error records as CLIXML
// ("#< CLIXML" followed by <Objs>…<S S="Error">text_x000D__x000A_</S>…); only the error text
// is kept, with the _xHHHH_ escapes decoded. The result is command.Summary of it.
func cleanStderr(b []byte) string {
	s := string(b)
	if rest, ok := strings.CutPrefix(strings.TrimSpace(s), "#< CLIXML"); ok {
		var parts []string
		for _, m := range clixmlString.FindAllStringSubmatch(rest, -1) {
			t := clixmlEscape.ReplaceAllStringFunc(m[1], func(e string) string {
				n, err := strconv.ParseUint(e[2:6], 16, 16)
				if err != nil {
					return e
				}
				return string(rune(n))
			})
			parts = append(parts, html.UnescapeString(t))
		}
		s = strings.Join(parts, "")
	}
	return command.Summary([]byte(s))
}
