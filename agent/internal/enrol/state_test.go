package enrol

import (
	"crypto/x509"
	"testing"
	"time"
)

func TestNeedsRenewal(t *testing.T) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	id := &Identity{Leaf: &x509.Certificate{NotBefore: from, NotAfter: from.Add(90 * 24 * time.Hour)}}
	tests := []struct {
		name string
		now  time.Time
		want bool
	}{
		{name: "fresh", now: from.Add(time.Hour), want: false},
		{name: "just before the last third", now: from.Add(60*24*time.Hour - time.Minute), want: false},
		{name: "in the last third", now: from.Add(60*24*time.Hour + time.Minute), want: true},
		{name: "expired", now: from.Add(91 * 24 * time.Hour), want: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := id.NeedsRenewal(tc.now); got != tc.want {
				t.Errorf("NeedsRenewal(%s) = %v, want %v", tc.now, got, tc.want)
			}
		})
	}
}
