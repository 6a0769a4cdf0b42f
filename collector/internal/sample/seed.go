package sample

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
)

// SeedSize is the length of a draw seed in bytes.
const SeedSize = 32

// Seed is the secret random input of one draw. Its SHA-256 (the commitment) is published before
// the draw; the seed itself is revealed with the result so that anyone can re-run the draw.
type Seed [SeedSize]byte

// String returns the seed as 64 lowercase hex digits.
func (s Seed) String() string { return hex.EncodeToString(s[:]) }

// NewSeed reads a fresh seed from r. The collector passes crypto/rand.Reader, the only source of
// randomness of a draw; tests pass a fixed reader.
func NewSeed(r io.Reader) (Seed, error) {
	var s Seed
	if _, err := io.ReadFull(r, s[:]); err != nil {
		return Seed{}, fmt.Errorf("read %d random bytes for the seed: %w", SeedSize, err)
	}
	return s, nil
}

// ParseSeed decodes a seed written as 64 hex digits (either case).
func ParseSeed(h string) (Seed, error) {
	if len(h) != 2*SeedSize {
		return Seed{}, fmt.Errorf("seed %q: want %d hex digits (%d bytes), got %d characters", h, 2*SeedSize, SeedSize, len(h))
	}
	b, err := hex.DecodeString(h)
	if err != nil {
		return Seed{}, fmt.Errorf("seed %q: not hex: %v", h, err)
	}
	var s Seed
	copy(s[:], b)
	return s, nil
}

// Commitment returns the commitment to seed: the lowercase hex SHA-256 of its 32 bytes. It is
// published before the draw, so the drawer cannot change the seed after seeing the scope's result.
func Commitment(seed Seed) string {
	sum := sha256.Sum256(seed[:])
	return hex.EncodeToString(sum[:])
}
