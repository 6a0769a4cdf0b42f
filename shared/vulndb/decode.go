package vulndb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// decoded is one record read from a source: its canonical bytes and what the import learnt.
type decoded struct {
	rec      Record
	compact  []byte
	problems []Problem
}

// decodeRecord decodes one OSV JSON document leniently: unknown fields are kept in the bytes
// and reported as a notice; a document that is not JSON, has no id, or has fields of the
// wrong type is returned as an error problem (ok=false) and is not stored.
func decodeRecord(raw []byte, source string) (d decoded, ok bool) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return decoded{problems: []Problem{{Source: source, Level: LevelError, Reason: fmt.Sprintf("not valid JSON: %v", err)}}}, false
	}
	d.compact = buf.Bytes()
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(d.compact, &fields); err != nil {
		return decoded{problems: []Problem{{Source: source, Level: LevelError, Reason: fmt.Sprintf("not a JSON object: %v", err)}}}, false
	}
	var id string
	_ = json.Unmarshal(fields["id"], &id) // a non-string id is reported just below as a missing id
	if err := json.Unmarshal(d.compact, &d.rec); err != nil {
		return decoded{problems: []Problem{{ID: id, Source: source, Level: LevelError, Reason: fmt.Sprintf("field of the wrong type: %v", err)}}}, false
	}
	if d.rec.ID == "" {
		return decoded{problems: []Problem{{Source: source, Level: LevelError, Reason: "record has no id; it cannot be stored or matched"}}}, false
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if u := unknownFields(keys); len(u) > 0 {
		d.problems = append(d.problems, Problem{ID: d.rec.ID, Source: source, Level: LevelNotice,
			Reason: fmt.Sprintf("unknown top-level fields %v kept in the record, not used", u)})
	}
	d.problems = append(d.problems, recordProblems(&d.rec, source)...)
	return d, true
}

// recordProblems lists what keeps parts of a stored record out of matching.
func recordProblems(r *Record, source string) []Problem {
	var out []Problem
	add := func(level, reason string) {
		out = append(out, Problem{ID: r.ID, Source: source, Level: level, Reason: reason})
	}
	_, bad := maxCVSS3(r.Severity)
	for i := range r.Affected {
		_, b := maxCVSS3(r.Affected[i].Severity)
		bad = append(bad, b...)
	}
	for _, err := range bad {
		add(LevelNotice, err.Error()+"; that severity is ignored")
	}
	usable := 0
	for i := range r.Affected {
		c := checkEntry(&r.Affected[i])
		switch {
		case c.skip:
		case c.unknown != "":
			add(LevelNotice, fmt.Sprintf("affected[%d]: %s; kept, not matched", i, c.reason))
		case !c.usable:
			add(LevelError, fmt.Sprintf("affected[%d]: %s; entry not matched", i, c.reason))
		default:
			usable++
		}
	}
	if usable == 0 && r.Withdrawn == "" {
		add(LevelError, "no affected entry can be matched (no package with a known ecosystem and a usable range); record kept, never matches")
	}
	return out
}
