package windows

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// maxStderr bounds how much of a command's standard error goes into a status error.
const maxStderr = 2000

// run runs name with args under a timeout and returns its standard output. Standard error is
// returned cleaned up (see cleanStderr); a command that fails or times out returns an error
// naming it and carrying its standard error.
func run(ctx context.Context, timeout time.Duration, name string, args ...string) (stdout []byte, stderr string, err error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var out, errb bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errb
	// A grandchild that keeps the pipes open must not hold Wait past the deadline.
	cmd.WaitDelay = 5 * time.Second
	err = cmd.Run()
	stderr = cleanStderr(errb.Bytes())
	switch {
	case ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return out.Bytes(), stderr, fmt.Errorf("%s: no answer within %s%s", name, timeout, suffix(stderr))
	case ctx.Err() != nil:
		return out.Bytes(), stderr, fmt.Errorf("%s: %w", name, ctx.Err())
	case err != nil:
		return out.Bytes(), stderr, fmt.Errorf("%s: %w%s", name, err, suffix(stderr))
	}
	return out.Bytes(), stderr, nil
}

func suffix(stderr string) string {
	if stderr == "" {
		return ""
	}
	return ": " + stderr
}

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
// is kept, with the _xHHHH_ escapes decoded. The result is trimmed and bounded.
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
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxStderr {
		s = s[:maxStderr] + "…"
	}
	return s
}
