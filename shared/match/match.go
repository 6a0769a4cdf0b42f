package match

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/vulndb"
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
func (m *Matcher) matchInventory(ctx context.Context, inv *inventory.Inventory) raw {
	var out raw
	ecos, err := m.ecosystems(inv)
	if err != nil {
		out.err = err
		return out
	}
	// Binary packages built from one source at one version match the same records: each
	// distinct (ecosystem, lookup name, version) is evaluated once, its findings built for
	// the first such package and copied for the others.
	type evalKey struct{ eco, name, version string }
	memo := make(map[evalKey]int32, len(inv.Packages))
	var jobs []job
	which := make([]int32, len(inv.Packages)) // job per package; -1 when not checked
	for i, p := range inv.Packages {
		which[i] = -1
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
		ji, done := memo[k]
		if !done {
			ji = int32(len(jobs))
			memo[k] = ji
			jobs = append(jobs, job{pkg: i, eco: eco, name: name})
		}
		which[i] = ji
	}
	findings, sorted, err := m.runJobs(ctx, inv, jobs, which)
	if err != nil {
		out.err = err
		return out
	}
	var explained map[string]bool
	if len(inv.PendingUpdates) > 0 {
		explained = map[string]bool{}
	}
	for i := range inv.Packages {
		if which[i] < 0 {
			continue
		}
		p := &inv.Packages[i]
		j := &jobs[which[i]]
		for _, reason := range j.problems {
			out.problems = append(out.problems, Problem{Package: p.Name, Ecosystem: p.Ecosystem, Version: p.Version, Reason: reason})
		}
		if j.count > 0 && explained != nil {
			explained[p.Name] = true
		}
	}
	if pending := pendingFindings(inv, explained); len(pending) > 0 {
		findings, sorted = append(findings, pending...), false
	}
	if !sorted {
		sortFindings(findings)
	}
	out.findings = findings
	return out
}

// ecosystems parses the ecosystems of the inventory's packages and checks that the snapshot
// answers for each; the error wraps ErrEcosystem and names every ecosystem it cannot.
func (m *Matcher) ecosystems(inv *inventory.Inventory) (map[string]vulndb.Eco, error) {
	ecos := map[string]vulndb.Eco{}
	var ecoErrs []string
	for _, p := range inv.Packages {
		if _, seen := ecos[p.Ecosystem]; seen || p.Ecosystem == "" {
			continue
		}
		eco, err := vulndb.ParseEco(p.Ecosystem)
		if err != nil {
			continue // reported per package
		}
		ecos[p.Ecosystem] = eco
		switch {
		case vulndb.IsOSDistro(eco.Base) && eco.Release == "":
			ecoErrs = append(ecoErrs, fmt.Sprintf("package ecosystem %q names no release; the agent must report it as, for example, %s:12", p.Ecosystem, eco.Base))
		default:
			if err := m.snap.Check(eco); err != nil {
				ecoErrs = append(ecoErrs, err.Error())
			}
		}
	}
	if len(ecoErrs) > 0 {
		slices.Sort(ecoErrs)
		return nil, fmt.Errorf("%w: %s", ErrEcosystem, strings.Join(ecoErrs, "; "))
	}
	return ecos, nil
}
