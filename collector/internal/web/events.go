package web

import (
	"encoding/json"
	"fmt"

	"github.com/ceplus/ceplus/collector/internal/assess"
)

// eventPayload holds the payload fields the history describes, of every kind.
type eventPayload struct {
	Organisation  string            `json:"organisation"`
	Source        string            `json:"source"`
	Devices       json.RawMessage   `json:"devices"`
	AfterFreeze   bool              `json:"after_freeze"`
	Device        string            `json:"device"`
	Agent         string            `json:"agent"`
	By            string            `json:"by"`
	ScopeHash     string            `json:"scope_hash"`
	Sample        int               `json:"sample"`
	Commitment    string            `json:"commitment"`
	Scan          string            `json:"scan"`
	Findings      []json.RawMessage `json:"findings"`
	Error         string            `json:"error"`
	Role          string            `json:"role"`
	Reason        string            `json:"reason"`
	Question      string            `json:"question"`
	Outcome       string            `json:"outcome"`
	CECertificate string            `json:"ce_certificate"`
}

// count returns the length of a JSON array, or its value when it is a number.
func count(raw json.RawMessage) int {
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		return len(list)
	}
	var n int
	if json.Unmarshal(raw, &n) == nil {
		return n
	}
	return 0
}

// Summary describes the event in a few words for the history table.
func (e eventRow) Summary() string {
	var p eventPayload
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return ""
	}
	switch e.Kind {
	case assess.KindCreated:
		return p.Organisation
	case assess.KindScopeAdded:
		s := fmt.Sprintf("%d devices from %s", count(p.Devices), p.Source)
		if p.AfterFreeze {
			s += ", after the freeze"
		}
		return s
	case assess.KindAgentLinked:
		return fmt.Sprintf("agent %s reports for %s (by %s)", short(p.Agent), p.Device, p.By)
	case assess.KindFrozen:
		return fmt.Sprintf("%d devices, scope hash %s", count(p.Devices), short(p.ScopeHash))
	case assess.KindCommitted:
		return fmt.Sprintf("Sample %d, commitment %s", p.Sample, short(p.Commitment))
	case assess.KindDrawn, assess.KindDeclared:
		return fmt.Sprintf("Sample %d: %d devices", p.Sample, count(p.Devices))
	case assess.KindScanStarted:
		return fmt.Sprintf("%s of Sample %d: %d devices", p.Scan, p.Sample, count(p.Devices))
	case assess.KindTested:
		return fmt.Sprintf("%s in Sample %d: %d findings (%s)", p.Device, p.Sample, len(p.Findings), p.Source)
	case assess.KindScanFailed:
		return fmt.Sprintf("%s in Sample %d: %s", p.Device, p.Sample, p.Error)
	case assess.KindRefused:
		return "by the " + p.Role + optional(": ", p.Reason)
	case assess.KindDecision:
		return p.Question
	case assess.KindVerdict:
		return fmt.Sprintf("%s, CE certificate %s", p.Outcome, p.CECertificate)
	}
	return ""
}

func optional(sep, s string) string {
	if s == "" {
		return ""
	}
	return sep + s
}
