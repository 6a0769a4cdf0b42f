package register

import (
	"fmt"
	"strings"
)

// TLP is a Traffic Light Protocol label (FIRST TLP 2.0, with the e-IoT-SCS scheme's WHITE as
// TLP 1.0's name for CLEAR).
type TLP string

// The TLP labels, most restrictive first.
const (
	TLPRed         TLP = "RED"          // participants only
	TLPAmberStrict TLP = "AMBER+STRICT" // the recipients' organisation only
	TLPAmber       TLP = "AMBER"        // the recipients' organisations and their clients
	TLPGreen       TLP = "GREEN"        // the community
	TLPClear       TLP = "CLEAR"        // no limit
	TLPWhite       TLP = "WHITE"        // no limit (TLP 1.0, e-IoT-SCS triage WHITE)
)

// ParseTLP reads a TLP label, with or without the "TLP:" prefix, in any case.
func ParseTLP(s string) (TLP, error) {
	t := TLP(strings.ToUpper(strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "TLP:"), "tlp:")))
	if t.rank() < 0 {
		return "", fmt.Errorf("TLP %q: want RED, AMBER+STRICT, AMBER, GREEN, CLEAR or WHITE", s)
	}
	return t, nil
}

// rank orders labels from the most restrictive (0) on; -1 for an unknown label.
func (t TLP) rank() int {
	switch t {
	case TLPRed:
		return 0
	case TLPAmberStrict:
		return 1
	case TLPAmber:
		return 2
	case TLPGreen:
		return 3
	case TLPClear, TLPWhite:
		return 4
	}
	return -1
}

// Limited reports whether information under t stays inside a limited distribution (RED and
// AMBER); GREEN, CLEAR and WHITE may reach the community or anyone.
func (t TLP) Limited() bool { r := t.rank(); return r >= 0 && r <= 2 }

// String returns the label as shown on documents: "TLP:AMBER".
func (t TLP) String() string { return "TLP:" + string(t) }

// moreRestrictive returns the more restrictive of a and b.
func moreRestrictive(a, b TLP) TLP {
	if b.rank() >= 0 && (a.rank() < 0 || b.rank() < a.rank()) {
		return b
	}
	return a
}
