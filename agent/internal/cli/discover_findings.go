package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/ceplus/ceplus/shared/discovery/exposure"
)

// printFindings writes the exposure findings, one block per finding: host, port, class and
// product, what it rests on, and nmap's evidence; then what could not be assessed.
func printFindings(out io.Writer, rep exposure.Report) error {
	w := &strings.Builder{}
	src := "no advisory snapshot (--db): end of life only"
	if rep.Snapshot != "" {
		src = "snapshot " + shortHash(rep.Snapshot)
	}
	n := 0
	for _, h := range rep.Hosts {
		n += len(h.Findings)
	}
	fmt.Fprintf(w, "\nexposure findings on %s (%s): %d\n", rep.Date, src, n)
	for _, h := range rep.Hosts {
		host := "?"
		if len(h.Addresses) > 0 {
			host = h.Addresses[0].String()
		}
		for _, f := range h.Findings {
			e := f.Evidence
			fmt.Fprintf(w, "  %s port %d/%s: %s: %s %s\n", host, e.Port, e.Protocol, f.Class, e.Product, e.Version)
			if f.EOL != nil {
				fmt.Fprintf(w, "      branch %s, upstream support ended %s [%s]\n", f.EOL.Branch.Branch, f.EOL.EOL, f.EOL.Source)
			}
			for _, a := range f.Advisories {
				fixed := "no fix recorded"
				if a.Fixed != "" {
					fixed = "fixed in " + a.Fixed
				}
				aliases := ""
				if len(a.Aliases) > 0 {
					aliases = " (" + strings.Join(a.Aliases, ", ") + ")"
				}
				fmt.Fprintf(w, "      %s%s: %s %s %s, %s\n", a.ID, aliases, a.Ecosystem, a.Package, a.Version, fixed)
			}
			fmt.Fprintf(w, "      why: %s\n", f.Why)
			fmt.Fprintf(w, "      evidence: %s, %s/%d", e.CPE, e.Method, e.Confidence)
			if e.ExtraInfo != "" {
				fmt.Fprintf(w, ", %s", e.ExtraInfo)
			}
			if e.Fingerprint != "" {
				fmt.Fprintf(w, ", fingerprint %s", e.Fingerprint)
			}
			fmt.Fprintln(w)
		}
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "  not assessed: %s\n", p)
	}
	_, err := io.WriteString(out, w.String())
	return err
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
