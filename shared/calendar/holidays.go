package calendar

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"strings"
)

//go:embed data/england-and-wales.txt
var englandAndWales []byte

// EnglandAndWales returns the embedded England and Wales bank holidays (2025–2030), sorted by
// date. The source and refresh steps are in the header of data/england-and-wales.txt.
func EnglandAndWales() []Holiday {
	hs, err := ParseHolidays(bytes.NewReader(englandAndWales))
	if err != nil {
		// Cannot happen for the embedded file: TestEmbeddedHolidays parses it.
		panic("calendar: embedded data/england-and-wales.txt: " + err.Error())
	}
	return hs
}

// ParseHolidays reads a holiday list: one holiday per line as "YYYY-MM-DD name" (the name is
// optional); blank lines and lines starting with '#' are ignored. Errors name the line.
func ParseHolidays(r io.Reader) ([]Holiday, error) {
	var out []Holiday
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		field, name, _ := strings.Cut(text, " ")
		d, err := ParseDate(field)
		if err != nil {
			return nil, fmt.Errorf("holiday list line %d: %w", line, err)
		}
		out = append(out, Holiday{Date: d, Name: strings.TrimSpace(name)})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read holiday list: %w", err)
	}
	return out, nil
}

// FromDates returns unnamed holidays for dates, for a caller-supplied list such as a policy's
// "holidays".
func FromDates(dates []Date) []Holiday {
	out := make([]Holiday, len(dates))
	for i, d := range dates {
		out[i] = Holiday{Date: d}
	}
	return out
}
