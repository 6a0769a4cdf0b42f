package match

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

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
	if err := m.runJobs(ctx, inv, jobs); err != nil {
		out.err = err
		return out
	}
	n := 0
	for i := range which {
		if which[i] >= 0 {
			n += len(jobs[which[i]].findings)
		}
	}
	refs := make([]findingRef, 0, n)
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
		if len(j.findings) > 0 && explained != nil {
			explained[p.Name] = true
		}
		for fi := range j.findings {
			r := findingRef{f: &j.findings[fi]}
			if j.pkg != i {
				r.pkg = p
			}
			refs = append(refs, r)
		}
	}
	pending := pendingFindings(inv, explained)
	for i := range pending {
		refs = append(refs, findingRef{f: &pending[i]})
	}
	out.findings = gather(refs)
	return out
}

// job is the evaluation of one distinct (ecosystem, lookup name, version) and the findings
// built for its first package.
type job struct {
	pkg      int
	eco      vulndb.Eco
	name     string
	findings []Finding
	problems []string
}

// runJobs evaluates the jobs and builds their findings, on up to GOMAXPROCS goroutines for a
// large inventory (each with its own scratch memory; the snapshot and facts are read-only).
func (m *Matcher) runJobs(ctx context.Context, inv *inventory.Inventory, jobs []job) error {
	workers := min(runtime.GOMAXPROCS(0), 8, 1+len(jobs)/512)
	chunk := (len(jobs) + workers - 1) / workers
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		lo, hi := w*chunk, min(len(jobs), (w+1)*chunk)
		if lo >= hi {
			continue
		}
		wg.Go(func() {
			// The hits first, so that the findings (at most one per hit) are allocated once.
			var hits []vulndb.Hit
			span := make([][2]int, hi-lo)
			for ji := lo; ji < hi; ji++ {
				if (ji-lo)%256 == 0 {
					if err := ctx.Err(); err != nil {
						errs[w] = err
						return
					}
				}
				j := &jobs[ji]
				start := len(hits)
				hits, j.problems = m.snap.AppendAffecting(hits, j.eco, j.name, inv.Packages[j.pkg].Version)
				span[ji-lo] = [2]int{start, len(hits)}
			}
			sc := newScratch(m.facts.numIDs)
			found := make([]Finding, 0, len(hits))
			for ji := lo; ji < hi; ji++ {
				sp := span[ji-lo]
				if sp[0] == sp[1] {
					continue
				}
				j := &jobs[ji]
				start := len(found)
				found = m.buildFindings(found, sc, j.eco, inv.Packages[j.pkg], hits[sp[0]:sp[1]])
				j.findings = found[start:len(found):len(found)]
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
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
