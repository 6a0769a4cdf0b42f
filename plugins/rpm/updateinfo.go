package rpm

import (
	"context"
	"io"
	"strconv"
	"strings"
	"time"
)

// advisory is one errata entry of an updateinfo.xml.
type advisory struct {
	ID       string
	Type     string // "security", "bugfix", "enhancement", "newpackage"
	Title    string
	Severity string
	// Issued is the issue date as YYYY-MM-DD, "" when the advisory has none.
	Issued string
	CVEs   []string
	// Packages are the builds that carry the fix.
	Packages []available
}

// parseUpdateInfo reads the advisories of an updateinfo.xml, streaming.
func parseUpdateInfo(ctx context.Context, r io.Reader) ([]advisory, error) {
	type update struct {
		Type     string `xml:"type,attr"`
		ID       string `xml:"id"`
		Title    string `xml:"title"`
		Severity string `xml:"severity"`
		Issued   struct {
			Date string `xml:"date,attr"`
		} `xml:"issued"`
		References []struct {
			ID   string `xml:"id,attr"`
			Type string `xml:"type,attr"`
		} `xml:"references>reference"`
		Packages []struct {
			Name    string `xml:"name,attr"`
			Arch    string `xml:"arch,attr"`
			Epoch   string `xml:"epoch,attr"`
			Version string `xml:"version,attr"`
			Release string `xml:"release,attr"`
		} `xml:"pkglist>collection>package"`
	}
	var out []advisory
	err := decodeEach(ctx, r, "update", func(u update) {
		a := advisory{
			ID:       strings.TrimSpace(u.ID),
			Type:     u.Type,
			Title:    strings.TrimSpace(u.Title),
			Severity: strings.TrimSpace(u.Severity),
			Issued:   issuedDate(u.Issued.Date),
		}
		for _, ref := range u.References {
			if ref.Type == "cve" && ref.ID != "" {
				a.CVEs = append(a.CVEs, ref.ID)
			}
		}
		for _, p := range u.Packages {
			a.Packages = append(a.Packages, available{p.Name, p.Arch, p.Epoch, p.Version, p.Release})
		}
		out = append(out, a)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// issuedDate normalises the issue dates found in updateinfo files: "2023-06-21 19:32:41"
// and "2023-06-21" (Red Hat and rebuilds), seconds since the epoch (SUSE).
func issuedDate(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 10 && s[4] == '-' && s[7] == '-' {
		return s[:10]
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
		return time.Unix(n, 0).UTC().Format(time.DateOnly)
	}
	return ""
}

// severityRank orders advisory severities (Red Hat: Low, Moderate, Important, Critical;
// SUSE: low, moderate, important, critical).
func severityRank(s string) int {
	switch strings.ToLower(s) {
	case "low":
		return 1
	case "moderate", "medium":
		return 2
	case "important", "high":
		return 3
	case "critical":
		return 4
	}
	return 0
}
