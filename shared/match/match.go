package match

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/vulndb"
	"github.com/google/osv-scalibr/semantic"
)

// ErrEcosystem is wrapped by the error Match returns when the device has packages of an
// ecosystem the snapshot cannot answer for (absent, or a release it has no advisories for),
// or of an OS ecosystem that names no release. The device's result would be falsely clean.
var ErrEcosystem = errors.New("ecosystem not covered")

// raw is the cacheable, date-independent part of a result.
type raw struct {
	findings []Finding
	problems []Problem
	err      error
}

// hit is one matched record for one package.
type hit struct {
	rec   int32
	aff   int32
	fixed string
}

// lookupName returns the name OSV advisories key the package by: the source package for
// Debian, Ubuntu (dpkg Source:) and Alpine (apk origin), the package's own name elsewhere.
func lookupName(base string, p inventory.Package) string {
	switch base {
	case "Debian", "Ubuntu", "Alpine":
		if p.SourceName != "" {
			return p.SourceName
		}
	}
	return p.Name
}

// matchInventory does the matching proper; it never reads the clock.
func matchInventory(ctx context.Context, snap *vulndb.Snapshot, inv *inventory.Inventory) raw {
	var out raw
	ecos := map[string]vulndb.Eco{}
	var ecoErrs []string
	for _, p := range inv.Packages {
		if _, seen := ecos[p.Ecosystem]; seen || p.Ecosystem == "" {
			continue
		}
		eco, err := vulndb.ParseEco(p.Ecosystem)
		if err != nil {
			continue // reported per package below
		}
		ecos[p.Ecosystem] = eco
		switch {
		case vulndb.IsOSDistro(eco.Base) && eco.Release == "":
			ecoErrs = append(ecoErrs, fmt.Sprintf("package ecosystem %q names no release; the agent must report it as, for example, %s:12", p.Ecosystem, eco.Base))
		default:
			if err := snap.Check(eco); err != nil {
				ecoErrs = append(ecoErrs, err.Error())
			}
		}
	}
	if len(ecoErrs) > 0 {
		slices.Sort(ecoErrs)
		out.err = fmt.Errorf("%w: %s", ErrEcosystem, strings.Join(ecoErrs, "; "))
		return out
	}
	type evalKey struct{ eco, name, version string }
	type evalResult struct {
		hits     []hit
		problems []string
	}
	memo := map[evalKey]evalResult{}
	for i, p := range inv.Packages {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				out.err = err
				return out
			}
		}
		eco, ok := ecos[p.Ecosystem]
		if !ok {
			reason := "package has no ecosystem; it cannot be checked against advisories"
			if p.Ecosystem != "" {
				reason = fmt.Sprintf("ecosystem %q is not an OSV ecosystem; the package cannot be checked", p.Ecosystem)
			}
			out.problems = append(out.problems, Problem{Package: p.Name, Ecosystem: p.Ecosystem, Version: p.Version, Reason: reason})
			continue
		}
		name := lookupName(eco.Base, p)
		k := evalKey{p.Ecosystem, name, p.Version}
		r, done := memo[k]
		if !done {
			r.hits, r.problems = evaluate(snap, eco, name, p.Version)
			memo[k] = r
		}
		for _, reason := range r.problems {
			out.problems = append(out.problems, Problem{Package: p.Name, Ecosystem: p.Ecosystem, Version: p.Version, Reason: reason})
		}
		if len(r.hits) > 0 {
			out.findings = append(out.findings, buildFindings(snap, eco, p, r.hits)...)
		}
	}
	return out
}

// evaluate returns the records whose entries for (eco, name) affect version, and why some
// could not be evaluated.
func evaluate(snap *vulndb.Snapshot, eco vulndb.Eco, name, version string) (hits []hit, problems []string) {
	entries := snap.Lookup(eco, name)
	if len(entries) == 0 {
		return nil, nil
	}
	iv, err := semantic.Parse(version, eco.Base)
	if err != nil {
		return nil, []string{fmt.Sprintf("installed version %q does not parse in %s order (%v); the package cannot be checked", version, eco.Base, err)}
	}
	for _, e := range entries {
		aff := &snap.Record(e.Rec).Affected[e.Aff]
		affected, fixed, err := aff.Evaluate(eco.Base, version, iv)
		if err != nil {
			problems = append(problems, fmt.Sprintf("record %s: %v; the package is not checked against it", snap.Record(e.Rec).ID, err))
			continue
		}
		if affected {
			hits = append(hits, hit{rec: e.Rec, aff: e.Aff, fixed: fixed})
		}
	}
	return hits, problems
}
