package windows

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// decodeOneOrMany decodes the JSON that PowerShell's ConvertTo-Json prints for a pipeline: an
// array for two or more objects, a bare object for exactly one, and nothing at all for none. A
// UTF-8 byte order mark is skipped. what names the input in errors.
func decodeOneOrMany[T any](data []byte, what string) ([]T, error) {
	data = bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	switch {
	case len(data) == 0:
		return nil, nil
	case data[0] == '[':
		var out []T
		if err := json.Unmarshal(data, &out); err != nil {
			return nil, fmt.Errorf("parse %s JSON array: %w", what, err)
		}
		return out, nil
	case data[0] == '{':
		var one T
		if err := json.Unmarshal(data, &one); err != nil {
			return nil, fmt.Errorf("parse %s JSON object: %w", what, err)
		}
		return []T{one}, nil
	}
	return nil, fmt.Errorf("parse %s: output is not JSON, it starts with %q", what, head(data))
}

func head(b []byte) string {
	const n = 60
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// stringList is a JSON list of strings that also accepts a lone string and null, because
// ConvertTo-Json unrolls one-element collections that were not wrapped in @().
type stringList []string

// UnmarshalJSON implements json.Unmarshaler.
func (l *stringList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*l = nil
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*l = stringList{s}
		return nil
	}
	var ss []string
	if err := json.Unmarshal(b, &ss); err != nil {
		return err
	}
	*l = ss
	return nil
}

// psDate is a date as PowerShell's ConvertTo-Json prints a DateTime, kept as "YYYY-MM-DD".
// It accepts null and "" (no date), a plain "2024-11-13", ISO 8601 with a time ("2024-11-13T00:00:00",
// PowerShell 7), the "\/Date(1731456000000)\/" of Windows PowerShell 5.1 (milliseconds since
// 1970 in UTC, optionally with an offset such as "+0100", which is applied), and 5.1's wrapped
// form {"value": "\/Date(…)\/", "DateTime": "Wednesday, November 13, 2024 …"}. A /Date()/
// without offset is read as UTC, so a local midnight east of Greenwich reads as the day before:
// the scripts of this package therefore format their dates themselves.
type psDate string

var msDate = regexp.MustCompile(`^/Date\((-?\d+)([+-]\d{4})?\)/$`)

// UnmarshalJSON implements json.Unmarshaler.
func (d *psDate) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*d = ""
		return nil
	}
	if len(b) > 0 && b[0] == '{' {
		var wrapped struct {
			Value json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(b, &wrapped); err != nil {
			return err
		}
		if wrapped.Value == nil {
			return fmt.Errorf("date object %s has no \"value\"", head(b))
		}
		return d.UnmarshalJSON(wrapped.Value)
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("date %s is neither a string nor null: %w", head(b), err)
	}
	v, err := parsePSDate(s)
	if err != nil {
		return err
	}
	*d = psDate(v)
	return nil
}

func parsePSDate(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if m := msDate.FindStringSubmatch(s); m != nil {
		ms, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			return "", fmt.Errorf("date %q: %w", s, err)
		}
		t := time.UnixMilli(ms).UTC()
		if m[2] != "" {
			off, err := time.Parse("-0700", m[2])
			if err != nil {
				return "", fmt.Errorf("date %q: offset: %w", s, err)
			}
			t = t.In(off.Location())
		}
		return t.Format(time.DateOnly), nil
	}
	if len(s) >= len(time.DateOnly) {
		if t, err := time.Parse(time.DateOnly, s[:len(time.DateOnly)]); err == nil {
			return t.Format(time.DateOnly), nil
		}
	}
	return "", fmt.Errorf("date %q is not YYYY-MM-DD, ISO 8601 or /Date(ms)/", s)
}
