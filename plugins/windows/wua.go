package windows

import (
	_ "embed"
	"fmt"
	"io"
	"strings"

	"github.com/ceplus/ceplus/shared/inventory"
)

// wuaScript searches the Windows Update Agent for missing updates; see scripts/wua.ps1. The
// caller prepends `$Online = $true` or `$Online = $false`.
//
//go:embed scripts/wua.ps1
var wuaScript string

// wuaOrigin is the PendingUpdate.Origin of every update the Windows Update Agent reports.
const wuaOrigin = "Windows Update"

// securityUpdatesCategory is the CategoryID of the "Security Updates" update classification,
// which is the same on every system whatever the display language (the category Name is
// localised: "Sicherheitsupdates" on a German system).
const securityUpdatesCategory = "0fa1201d-4330-4fa8-8ae9-b877473b6441"

// wuaResult is the JSON object scripts/wua.ps1 prints.
type wuaResult struct {
	Online     bool `json:"Online"`
	ResultCode int  `json:"ResultCode"`
	// LastSearchSuccessDate is when the agent last searched successfully (local time, ISO 8601).
	LastSearchSuccessDate string      `json:"LastSearchSuccessDate"`
	Updates               []wuaUpdate `json:"Updates"`
}

type wuaUpdate struct {
	UpdateID                 string        `json:"UpdateID"`
	RevisionNumber           int           `json:"RevisionNumber"`
	Title                    string        `json:"Title"`
	KBArticleIDs             stringList    `json:"KBArticleIDs"`
	MsrcSeverity             string        `json:"MsrcSeverity"`
	LastDeploymentChangeTime psDate        `json:"LastDeploymentChangeTime"`
	Categories               []wuaCategory `json:"Categories"`
	SecurityBulletinIDs      stringList    `json:"SecurityBulletinIDs"`
	CveIDs                   stringList    `json:"CveIDs"`
}

type wuaCategory struct {
	Name       string `json:"Name"`
	CategoryID string `json:"CategoryID"`
	Type       string `json:"Type"`
}

// resultCodes names IUpdateSearcher's OperationResultCode values.
var resultCodes = map[int]string{0: "not started", 1: "in progress", 2: "succeeded", 3: "succeeded with errors", 4: "failed", 5: "aborted"}

// OperationResultCode values that carry a usable list of updates.
const (
	resultSucceeded           = 2
	resultSucceededWithErrors = 3
)

// parseWUA reads the JSON of scripts/wua.ps1. The search's result code is returned as an
// error alongside the updates when it is not "succeeded", so the caller can keep what the
// agent found and still mark the source Partial.
func parseWUA(r io.Reader) (wuaResult, []inventory.PendingUpdate, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return wuaResult{}, nil, err
	}
	res, err := decodeOneOrMany[wuaResult](data, "Windows Update Agent search")
	if err != nil {
		return wuaResult{}, nil, err
	}
	if len(res) != 1 {
		return wuaResult{}, nil, fmt.Errorf("parse Windows Update Agent search: want one JSON object, got %d", len(res))
	}
	out := make([]inventory.PendingUpdate, 0, len(res[0].Updates))
	for _, u := range res[0].Updates {
		out = append(out, pendingFromWUA(u))
	}
	if code := res[0].ResultCode; code != resultSucceeded {
		name := resultCodes[code]
		if name == "" {
			name = "unknown"
		}
		return res[0], out, fmt.Errorf("windows update agent search ended with result code %d (%s)", code, name)
	}
	return res[0], out, nil
}

// pendingFromWUA maps one IUpdate. Name is "KB" + the first KB article id, or the update id for
// the updates without one (drivers). Security is true when the update is in the "Security
// Updates" classification or carries an MSRC severity (MSRC rates security updates only).
// Released is LastDeploymentChangeTime, the date the update was last published to the service:
// for Microsoft Update that is the release date (usually a Patch Tuesday), but a re-published
// revision moves it later, so the collector should prefer the vendor's own release date when it
// has one. IDs are the KB numbers, the CVE ids and the security bulletin ids.
func pendingFromWUA(u wuaUpdate) inventory.PendingUpdate {
	p := inventory.PendingUpdate{
		Title:    strings.TrimSpace(u.Title),
		Severity: strings.TrimSpace(u.MsrcSeverity),
		Released: string(u.LastDeploymentChangeTime),
		Origin:   wuaOrigin,
	}
	for _, kb := range u.KBArticleIDs {
		kb = strings.TrimSpace(kb)
		if kb == "" {
			continue
		}
		if !strings.HasPrefix(strings.ToUpper(kb), "KB") {
			kb = "KB" + kb
		}
		p.IDs = append(p.IDs, kb)
	}
	if len(p.IDs) > 0 {
		p.Name = p.IDs[0]
	} else {
		p.Name = u.UpdateID
	}
	for _, list := range []stringList{u.CveIDs, u.SecurityBulletinIDs} {
		for _, id := range list {
			if id = strings.TrimSpace(id); id != "" {
				p.IDs = append(p.IDs, id)
			}
		}
	}
	p.Security = p.Severity != ""
	for _, c := range u.Categories {
		if strings.EqualFold(c.CategoryID, securityUpdatesCategory) || c.Name == "Security Updates" {
			p.Security = true
		}
	}
	return p
}

// wuaSearchScript returns the search script for the online or the cached search.
func wuaSearchScript(online bool) string {
	return fmt.Sprintf("$Online = $%t\n", online) + wuaScript
}
