package vulndb

import (
	"fmt"
	"slices"

	"github.com/google/osv-scalibr/semantic"
)

// Evaluate reports whether the installed version (raw as installed, parsed in the base
// ecosystem's order as iv) is affected by this entry: listed in versions, or inside an
// ECOSYSTEM or SEMVER range. fixed is the smallest `fixed` event above the installed version
// in an affecting range (empty when no fix is recorded), which is the missing update.
func (a *Affected) Evaluate(base, installed string, iv semantic.Version) (affected bool, fixed string, err error) {
	affected = slices.Contains(a.Versions, installed)
	for _, r := range a.Ranges {
		if r.Type != "ECOSYSTEM" && r.Type != "SEMVER" {
			continue
		}
		v := iv
		if r.Type == "SEMVER" {
			v = semantic.ParseSemverVersion(installed)
		}
		hit, fix, err := evalRange(v, base, r)
		if err != nil {
			return false, "", err
		}
		if !hit {
			continue
		}
		affected = true
		if fix != "" && (fixed == "" || less(base, r.Type, fix, fixed)) {
			fixed = fix
		}
	}
	if affected && fixed == "" && len(a.Versions) > 0 {
		// Listed in versions only: the ranges may still name the fix above the installed version.
		for _, r := range a.Ranges {
			for _, e := range r.Events {
				if e.Fixed == "" {
					continue
				}
				if c, err := cmpStr(iv, e.Fixed); err == nil && c < 0 && (fixed == "" || less(base, r.Type, e.Fixed, fixed)) {
					fixed = e.Fixed
				}
			}
		}
	}
	return affected, fixed, nil
}

func less(base, rangeType, a, b string) bool {
	va, err := parseVersion(a, base, rangeType)
	if err != nil {
		return false
	}
	c, err := va.CompareStr(b)
	return err == nil && c < 0
}

// cmpStr compares the installed version with an event version: <0 when installed is lower.
func cmpStr(v semantic.Version, s string) (int, error) {
	if s == "0" {
		return 1, nil // "0" is the start of time: every version is above it
	}
	c, err := v.CompareStr(s)
	if err != nil {
		return 0, fmt.Errorf("compare with %q: %w", s, err)
	}
	return c, nil
}

// evalRange applies the OSV evaluation algorithm to one range. With a single introduced event
// (the usual shape) it compares the installed version with each event; with several it sorts
// the events in the ecosystem's order and walks them as the OSV specification describes.
func evalRange(v semantic.Version, base string, r Range) (bool, string, error) {
	intros := 0
	for _, e := range r.Events {
		if e.Introduced != "" {
			intros++
		}
	}
	if intros <= 1 {
		return evalSimple(v, base, r)
	}
	return evalSorted(v, base, r)
}

func evalSimple(v semantic.Version, base string, r Range) (bool, string, error) {
	fixed := ""
	for _, e := range r.Events {
		var c int
		var err error
		switch {
		case e.Introduced != "":
			if c, err = cmpStr(v, e.Introduced); err == nil && c < 0 {
				return false, "", nil
			}
		case e.Fixed != "":
			if c, err = cmpStr(v, e.Fixed); err == nil && c >= 0 {
				return false, "", nil
			}
			if err == nil && (fixed == "" || less(base, r.Type, e.Fixed, fixed)) {
				fixed = e.Fixed
			}
		case e.LastAffected != "":
			if c, err = cmpStr(v, e.LastAffected); err == nil && c > 0 {
				return false, "", nil
			}
		case e.Limit != "":
			if c, err = cmpStr(v, e.Limit); err == nil && c >= 0 {
				return false, "", nil
			}
		}
		if err != nil {
			return false, "", err
		}
	}
	return true, fixed, nil
}

type sortedEvent struct {
	Event
	v semantic.Version // nil for introduced "0"
}

func evalSorted(v semantic.Version, base string, r Range) (bool, string, error) {
	evs := make([]sortedEvent, 0, len(r.Events))
	for _, e := range r.Events {
		s, _ := e.value()
		se := sortedEvent{Event: e}
		if s != "0" {
			pv, err := parseVersion(s, base, r.Type)
			if err != nil {
				return false, "", err
			}
			se.v = pv
		}
		evs = append(evs, se)
	}
	var cmpErr error
	slices.SortStableFunc(evs, func(a, b sortedEvent) int {
		switch {
		case a.v == nil && b.v == nil:
			return 0
		case a.v == nil:
			return -1
		case b.v == nil:
			return 1
		}
		c, err := a.v.Compare(b.v)
		if err != nil && cmpErr == nil {
			cmpErr = err
		}
		return c
	})
	if cmpErr != nil {
		return false, "", cmpErr
	}
	affected, fixed := false, ""
	for _, e := range evs {
		s, _ := e.value()
		c, err := cmpStr(v, s)
		if err != nil {
			return false, "", err
		}
		switch {
		case e.Introduced != "":
			if c >= 0 {
				affected, fixed = true, ""
			}
		case e.Fixed != "":
			if c >= 0 {
				affected = false
			} else if affected && fixed == "" {
				fixed = e.Fixed
			}
		case e.LastAffected != "":
			if c > 0 {
				affected = false
			}
		case e.Limit != "":
			if c >= 0 {
				affected = false
			}
		}
		if c < 0 && e.Introduced != "" {
			break
		}
	}
	return affected, fixed, nil
}
