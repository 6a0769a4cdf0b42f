package sample

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/ceplus/ceplus/shared/rules"
)

// fixedSeed returns the seed 00 01 02 … 1f.
func fixedSeed() Seed {
	var s Seed
	for i := range s {
		s[i] = byte(i)
	}
	return s
}

// derivedSeed returns SHA-256(tag ‖ uint64be(i)): fixed, distinct seeds for statistical tests.
func derivedSeed(tag string, i uint64) Seed {
	return sha256.Sum256(binary.BigEndian.AppendUint64([]byte(tag), i))
}

// build returns n devices of one type and build with ids prefix-00, prefix-01, ….
func build(prefix, typ, name string, n int) []rules.Device {
	out := make([]rules.Device, n)
	for i := range out {
		out[i] = rules.Device{ID: fmt.Sprintf("%s-%02d", prefix, i), Type: typ, Build: name}
	}
	return out
}

func concat(parts ...[]rules.Device) []rules.Device {
	var out []rules.Device
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func mustDraw(t interface {
	Helper()
	Fatalf(string, ...any)
}, devices []rules.Device, p Policy, sample int, exclude []string, seed Seed) Result {
	t.Helper()
	r, err := Draw(devices, p, sample, exclude, seed)
	if err != nil {
		t.Fatalf("Draw: %v", err)
	}
	return r
}

func ids(devices []rules.Device) []string {
	out := make([]string, len(devices))
	for i, d := range devices {
		out[i] = d.ID
	}
	return out
}
