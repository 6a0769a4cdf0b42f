package sample

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ceplus/ceplus/shared/rules"
)

// benchScope returns 100,000 devices in 200 builds of 500, one in 50 a server, in a shuffled
// order (the input order must not matter, and sorting it is part of the cost).
func benchScope() []rules.Device {
	const builds, per = 200, 500
	devices := make([]rules.Device, 0, builds*per)
	for b := range builds {
		name := fmt.Sprintf("Windows 11 Pro %dH%d build %03d", 22+b%4, 1+b%2, b)
		for i := range per {
			typ := "laptop"
			if i%50 == 0 {
				typ = "server"
			}
			devices = append(devices, rules.Device{ID: fmt.Sprintf("host-%03d-%04d.example.org", b, i), Type: typ, Build: name})
		}
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(devices), func(i, j int) { devices[i], devices[j] = devices[j], devices[i] })
	return devices
}

func BenchmarkDraw100k(b *testing.B) {
	devices := benchScope()
	p := Policy{TestAllTypes: []string{"server"}}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Draw(devices, p, 1, nil, fixedSeed()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDrawSample2_100k(b *testing.B) {
	devices := benchScope()
	p := Policy{TestAllTypes: []string{"server"}}
	s1, err := Draw(devices, p, 1, nil, fixedSeed())
	if err != nil {
		b.Fatal(err)
	}
	var exclude []string
	for _, ids := range s1.Devices {
		exclude = append(exclude, ids...)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Draw(devices, p, 2, exclude, derivedSeed("s2", 0)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScopeHash100k(b *testing.B) {
	devices := benchScope()
	b.ResetTimer()
	for b.Loop() {
		ScopeHash(devices)
	}
}
