package ingest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/inventory"
)

func sampleInventory(r *rand.Rand, n int) *inventory.Inventory {
	words := []string{"libssl3", "amd64", "Debian:12", "1:1.2.13.dfsg-1", "é漢", "<b>&", `q"uote`, "tab\t", "", "bad\xffutf8", "a\u2028b"}
	w := func() string {
		if r.IntN(4) == 0 {
			return words[r.IntN(len(words))]
		}
		return fmt.Sprintf("w%d", r.IntN(50))
	}
	inv := &inventory.Inventory{Schema: 1, CollectedAt: time.Unix(r.Int64N(1<<31), r.Int64N(1e9)).UTC(),
		Device:         inventory.Device{Hostname: w(), OSFamily: "debian", OSVersion: "12", Build: "Debian 12", Kernel: w(), ESM: r.IntN(2) == 0},
		PendingUpdates: []inventory.PendingUpdate{{Name: w(), Security: true, IDs: []string{w()}}},
		Sources:        []inventory.SourceStatus{{Name: "dpkg", Status: inventory.Succeeded, Errors: []string{w()}}},
	}
	if r.IntN(3) == 0 {
		inv.Applications = []inventory.Application{{Name: w(), Version: w()}}
	}
	for range n {
		inv.Packages = append(inv.Packages, inventory.Package{Name: w(), Version: w(), SourceName: w(), SourceVersion: w(), Ecosystem: "Debian:12", Arch: w()})
	}
	return inv
}

// mutations turn an agent's document into other valid or invalid JSON.
var mutations = []func(string) string{
	func(s string) string { return s },
	func(s string) string { return " \n" + s + "\t\r\n" },
	func(s string) string { return strings.Replace(s, `"name":`, `"Name":`, 1) },
	func(s string) string { return strings.Replace(s, `"packages":`, `"unknown":1,"packages":`, 1) },
	func(s string) string { return strings.Replace(s, `{"name":`, `{"extra":"x","name":`, 1) },
	func(s string) string { return strings.Replace(s, `"arch":`, `"arch":"x","arch":`, 1) },
	func(s string) string { return strings.Replace(s, `"schema":1`, `"schema":1,"schema":2`, 1) },
	func(s string) string { return strings.Replace(s, `"packages":[`, `"packages":null,"packages":[`, 1) },
	func(s string) string { return strings.Replace(s, `"version":"`, `"version":null,"x":"`, 1) },
	func(s string) string { return strings.Replace(s, `,"ecosystem"`, ` , "ecosystem" `, -1) },
	func(s string) string { return strings.Replace(s, `}]`, `},]`, 1) },
	func(s string) string { return strings.Replace(s, `"schema":1`, `"schema":1.5`, 1) },
	func(s string) string { return strings.Replace(s, `"schema":1`, `"schema":"1"`, 1) },
	func(s string) string { return s + "x" },
	func(s string) string { return s[:len(s)/2] },
	func(s string) string { return strings.Replace(s, `"device":{`, `"device":{"x":[1,{"y":"}]"}],`, 1) },
	func(s string) string { return strings.Replace(s, `"packages":[`, `"packages":[{},`, 1) },
	func(s string) string { return strings.Replace(s, `"packages":[`, `"packages":[ ] , "p":[`, 1) },
	func(s string) string { return strings.Replace(s, `"name":"w`, `"name":"\u0041w`, 1) },
	func(s string) string { return strings.Replace(s, `"name":"w`, "\"name\":\"\x01w", 1) },
	func(s string) string { return strings.Replace(s, `"collected_at":"`, `"collected_at":"x`, 1) },
	func(s string) string { return "null" },
	func(s string) string { return "{}" },
	func(s string) string { return `{"packages":[]}` },
}

func checkDecode(t *testing.T, doc []byte) {
	t.Helper()
	want := new(inventory.Inventory)
	wantErr := json.Unmarshal(doc, want)
	got, err := decodeInventory(doc)
	switch {
	case (err == nil) != (wantErr == nil):
		t.Fatalf("decodeInventory error %v, json.Unmarshal %v\n%.300s", err, wantErr, doc)
	case err != nil && err.Error() != wantErr.Error():
		t.Fatalf("decodeInventory error %q, json.Unmarshal %q", err, wantErr)
	case err == nil && !reflect.DeepEqual(got, want):
		t.Fatalf("decodeInventory differs from json.Unmarshal\n got %+v\nwant %+v\n%.300s", got, want, doc)
	}
}

func TestDecodeInventoryMatchesJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	fast := 0
	for i := range 2000 {
		b, err := json.Marshal(sampleInventory(r, []int{0, 1, 3, 20}[i%4]))
		if err != nil {
			t.Fatal(err)
		}
		if fastDecode(b, new(inventory.Inventory)) {
			fast++
		}
		for _, m := range mutations {
			checkDecode(t, []byte(m(string(b))))
		}
		ind, _ := json.MarshalIndent(json.RawMessage(b), "", "  ")
		checkDecode(t, ind)
	}
	if fast == 0 {
		t.Error("no document took the fast path")
	}
	// An agent's document with plain package strings takes the fast path (it is not dead code).
	if !fastDecode(plainDocument(), new(inventory.Inventory)) {
		t.Error("a plain agent document missed the fast path")
	}
}

// plainDocument is an agent's 2,000-package document whose strings need no escapes.
func plainDocument() []byte {
	inv := sampleInventory(rand.New(rand.NewPCG(7, 8)), 2000)
	for i := range inv.Packages {
		p := &inv.Packages[i]
		p.Name, p.Version, p.SourceName, p.SourceVersion, p.Arch = fmt.Sprintf("lib-%04d", i), "1.2-3", fmt.Sprintf("src-%04d", i/3), "1.2-3", "amd64"
	}
	doc, err := json.Marshal(inv)
	if err != nil {
		panic(err)
	}
	return doc
}

func FuzzDecodeInventory(f *testing.F) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 4 {
		b, _ := json.Marshal(sampleInventory(r, i))
		f.Add(b)
	}
	f.Add([]byte(`{"packages":[{"name":"a"}],"schema":1}`))
	f.Fuzz(func(t *testing.T, doc []byte) { checkDecode(t, doc) })
}

func BenchmarkDecodeInventory(b *testing.B) {
	doc := plainDocument()
	b.SetBytes(int64(len(doc)))
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeInventory(doc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := json.Unmarshal(doc, new(inventory.Inventory)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
