package store

import (
	"errors"
	"testing"
	"time"
)

func TestInstant(t *testing.T) {
	in := time.Date(2026, 3, 1, 10, 30, 0, 123456789, time.FixedZone("CET", 3600))
	want := time.Date(2026, 3, 1, 9, 30, 0, 123456000, time.UTC)
	if got := Instant(in); !got.Equal(want) || got.Location() != time.UTC || got.Nanosecond() != want.Nanosecond() {
		t.Errorf("Instant = %v, want %v", got, want)
	}
	if !Instant(time.Time{}).IsZero() {
		t.Error("Instant of the zero time is not zero")
	}
}

func TestTokenCheck(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		tok  Token
		want error
	}{
		{"usable", Token{Uses: 1, ExpiresAt: now.Add(time.Second)}, nil},
		{"never expires", Token{Uses: Unlimited}, nil},
		{"expires exactly now", Token{Uses: 1, ExpiresAt: now}, ErrTokenExpired},
		{"spent", Token{Uses: 0}, ErrTokenExhausted},
		{"revoked wins over expired", Token{Uses: 1, ExpiresAt: now.Add(-time.Hour), RevokedAt: now.Add(-2 * time.Hour)}, ErrTokenRevoked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.tok.Hash = HashToken("secret")
			err := tt.tok.Check(now)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Errorf("Check = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestHashToken(t *testing.T) {
	// SHA-256("abc"), FIPS 180-2 appendix B.1.
	if got, want := HashToken("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want {
		t.Errorf("HashToken = %s, want %s", got, want)
	}
}
