package windows

import (
	_ "embed"
	"io"
	"strings"

	"github.com/ceplus/ceplus/shared/inventory"
)

// hotfixScript lists the installed updates as JSON; see scripts/hotfix.ps1.
//
//go:embed scripts/hotfix.ps1
var hotfixScript string

type hotfix struct {
	HotFixID    string `json:"HotFixID"`
	Description string `json:"Description"`
	InstalledOn psDate `json:"InstalledOn"`
}

// parseHotFixes reads the JSON of `Get-HotFix | Select-Object HotFixID,Description,InstalledOn
// | ConvertTo-Json`: an array, a single object for one update, or nothing for none. Rows
// without a HotFixID, and the "File 1" placeholder rows of old Win32_QuickFixEngineering
// providers, are left out.
func parseHotFixes(r io.Reader) ([]inventory.InstalledUpdate, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	rows, err := decodeOneOrMany[hotfix](data, "Get-HotFix")
	if err != nil {
		return nil, err
	}
	var out []inventory.InstalledUpdate
	for _, h := range rows {
		id := strings.TrimSpace(h.HotFixID)
		if id == "" || strings.EqualFold(id, "File 1") {
			continue
		}
		out = append(out, inventory.InstalledUpdate{ID: id, Title: strings.TrimSpace(h.Description), InstalledOn: string(h.InstalledOn)})
	}
	return out, nil
}
