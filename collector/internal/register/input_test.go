package register

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseWithin(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want time.Duration
		bad  bool
	}{
		{"days", "14d", 14 * 24 * time.Hour, false},
		{"zero", "0", 0, false},
		{"zero days", "0d", 0, false},
		{"hours", "36h", 36 * time.Hour, false},
		{"negative", "-1d", 0, true},
		{"words", "soon", 0, true},
		{"empty", "", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseWithin(tt.in)
			if (err != nil) != tt.bad || got != tt.want {
				t.Errorf("ParseWithin(%q) = %s, %v; want %s, error %t", tt.in, got, err, tt.want, tt.bad)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v is not ErrInvalid", err)
			}
		})
	}
}

func TestParseTLP(t *testing.T) {
	tests := []struct {
		in      string
		want    TLP
		limited bool
	}{
		{"TLP:RED", TLPRed, true}, {"amber+strict", TLPAmberStrict, true}, {"tlp:amber", TLPAmber, true},
		{"GREEN", TLPGreen, false}, {"clear", TLPClear, false}, {"WHITE", TLPWhite, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTLP(tt.in)
			if err != nil || got != tt.want || got.Limited() != tt.limited {
				t.Errorf("ParseTLP(%q) = %s (limited %t), %v; want %s (limited %t)", tt.in, got, got.Limited(), err, tt.want, tt.limited)
			}
		})
	}
	if _, err := ParseTLP("PURPLE"); err == nil {
		t.Error("PURPLE accepted")
	}
}

// TestRacingChangesAreListed: a stored event that does not fit the state it lands on (two exits
// racing) is listed in Ignored, not dropped and not applied.
func TestRacingChangesAreListed(t *testing.T) {
	backends(t, func(t *testing.T, g *Register) {
		rec := mustCreate(t, g, eiotRecord())
		mustApply(t, g, rec.ID, Change{Kind: ChangeExit, Reason: ExitNoSecurity}, t0)
		late, _ := json.Marshal(Change{Kind: ChangeExit, Who: "bob", Reason: ExitDuplicate, DuplicateOf: "vr-other"})
		if _, err := g.st.AppendEvent(t.Context(), rec.ID, string(ChangeExit), late, t0); err != nil {
			t.Fatal(err)
		}
		got, err := g.Get(t.Context(), rec.ID, t0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Ignored) != 1 || !strings.Contains(got.Ignored[0], "event 3") || got.Exit.Reason != ExitNoSecurity {
			t.Errorf("ignored %v, exit %+v; want event 3 listed and the first exit kept", got.Ignored, got.Exit)
		}
	})
}
