package inventory

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

// referenceContentHash is the definition ContentHash implements: json.Marshal of the content
// struct, on copies of the lists sorted by Normalize, hostname and machine id blanked.
func referenceContentHash(inv *Inventory) string {
	c := *inv
	c.Packages = append([]Package(nil), inv.Packages...)
	c.PendingUpdates = append([]PendingUpdate(nil), inv.PendingUpdates...)
	c.InstalledUpdates = append([]InstalledUpdate(nil), inv.InstalledUpdates...)
	c.Applications = append([]Application(nil), inv.Applications...)
	c.Normalize()
	content := struct {
		Schema           int               `json:"schema"`
		Device           Device            `json:"device"`
		Packages         []Package         `json:"packages"`
		PendingUpdates   []PendingUpdate   `json:"pending_updates"`
		InstalledUpdates []InstalledUpdate `json:"installed_updates"`
		Applications     []Application     `json:"applications"`
	}{c.Schema, c.Device, c.Packages, c.PendingUpdates, c.InstalledUpdates, c.Applications}
	content.Device.Hostname = ""
	content.Device.MachineID = ""
	b, err := json.Marshal(content)
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TestCanonicalFieldsKnown fails when a hashed type gains or loses a field: ContentHash's
// encoder writes every field by hand and must be updated with it (referenceContentHash then
// says whether the bytes still agree).
func TestCanonicalFieldsKnown(t *testing.T) {
	for typ, n := range map[reflect.Type]int{
		reflect.TypeFor[Device](): 13, reflect.TypeFor[Package](): 6, reflect.TypeFor[PendingUpdate](): 10,
		reflect.TypeFor[InstalledUpdate](): 3, reflect.TypeFor[Application](): 4,
	} {
		if typ.NumField() != n {
			t.Errorf("%s has %d fields, the canonical encoder in hash.go knows %d: update it", typ, typ.NumField(), n)
		}
	}
}

// tricky strings exercise every escape of encoding/json.
var tricky = []string{"", "a", `quote"d`, `back\slash`, "<b>&amp;</b>", "tab\tnew\nline\r\b\f", "\x00\x01\x1f\x7f",
	"é ü 漢字 🎉", "bad \xff utf8 \xc3", "line\u2028sep\u2029", "Debian:12", "1:1.2.13.dfsg-1"}

func randString(r *rand.Rand) string {
	if r.IntN(3) == 0 {
		return tricky[r.IntN(len(tricky))]
	}
	return fmt.Sprintf("p%d", r.IntN(6)) // few values: equal sort keys happen
}

func randInventory(r *rand.Rand) *Inventory {
	s := func() string { return randString(r) }
	inv := &Inventory{Schema: r.IntN(3), CollectedAt: time.Unix(r.Int64N(1<<31), 0).UTC(),
		Device: Device{Hostname: s(), MachineID: s(), OSFamily: s(), OSName: s(), OSVersion: s(), Edition: s(),
			FeatureUpdate: s(), OSBuild: s(), Kernel: s(), Arch: s(), Ecosystem: s(), Build: s(), ESM: r.IntN(2) == 0},
		Sources: []SourceStatus{{Name: s(), Status: Succeeded}},
	}
	n := func() int { return []int{0, 0, 1, 2, 5, 13, 40}[r.IntN(7)] }
	if r.IntN(2) == 0 {
		inv.Packages = []Package{} // empty, not nil: hashed as null like nil
	}
	for range n() {
		inv.Packages = append(inv.Packages, Package{Name: s(), Version: s(), SourceName: s(), SourceVersion: s(), Ecosystem: s(), Arch: s()})
	}
	for range n() {
		u := PendingUpdate{Name: s(), Installed: s(), Candidate: s(), Origin: s(), Security: r.IntN(2) == 0, Arch: s(), Released: s(), Severity: s(), Title: s()}
		for range r.IntN(3) {
			u.IDs = append(u.IDs, s())
		}
		inv.PendingUpdates = append(inv.PendingUpdates, u)
	}
	for range n() {
		inv.InstalledUpdates = append(inv.InstalledUpdates, InstalledUpdate{ID: s(), Title: s(), InstalledOn: s()})
	}
	for range n() {
		inv.Applications = append(inv.Applications, Application{Name: s(), Version: s(), Publisher: s(), ID: s()})
	}
	if r.IntN(2) == 0 {
		inv.Normalize() // the agent's case: lists already in canonical order
	}
	return inv
}

func TestContentHashMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		inv := randInventory(r)
		before := *inv
		before.Packages = slices.Clone(inv.Packages)
		got, want := inv.ContentHash(), referenceContentHash(inv)
		if got != want {
			b, _ := json.Marshal(inv)
			t.Fatalf("inventory %d: ContentHash %s, reference %s\n%s", i, got, want, b)
		}
		if !reflect.DeepEqual(before.Packages, inv.Packages) {
			t.Fatalf("inventory %d: ContentHash reordered the caller's packages", i)
		}
	}
}

func FuzzContentHash(f *testing.F) {
	for _, s := range tricky {
		f.Add(s, s, s, uint8(3))
	}
	f.Fuzz(func(t *testing.T, a, b, c string, n uint8) {
		inv := &Inventory{Schema: int(n), Device: Device{OSFamily: a, Kernel: b, Build: c, ESM: n&1 == 1}}
		for i := range int(n % 8) {
			inv.Packages = append(inv.Packages, Package{Name: []string{a, b, c}[i%3], Version: b, Arch: []string{c, a}[i%2]})
			inv.PendingUpdates = append(inv.PendingUpdates, PendingUpdate{Name: c, IDs: []string{a, b}[:i%3%2+1], Title: a})
			inv.Applications = append(inv.Applications, Application{Name: b, ID: []string{a, c}[i%2]})
			inv.InstalledUpdates = append(inv.InstalledUpdates, InstalledUpdate{ID: a, Title: c})
		}
		if got, want := inv.ContentHash(), referenceContentHash(inv); got != want {
			t.Fatalf("ContentHash %s, reference %s for %+v", got, want, inv)
		}
	})
}

func benchInventory(packages int) *Inventory {
	inv := &Inventory{Schema: SchemaVersion, Device: Device{Hostname: "h", OSFamily: FamilyDebian, OSVersion: "12", Build: "Debian 12", Ecosystem: "Debian:12"},
		Packages: make([]Package, packages), PendingUpdates: []PendingUpdate{}}
	for k := range inv.Packages {
		v := fmt.Sprintf("%d.%d-%d", k%9, k%17, k%5)
		inv.Packages[k] = Package{Name: fmt.Sprintf("lib-%04d", k), Version: v, SourceName: fmt.Sprintf("src-%04d", k/3), SourceVersion: v, Ecosystem: "Debian:12", Arch: "amd64"}
	}
	return inv
}

// BenchmarkContentHash compares ContentHash with its json.Marshal definition on a sorted
// 2,000-package inventory.
func BenchmarkContentHash(b *testing.B) {
	inv := benchInventory(2000)
	b.Run("canonical", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			inv.ContentHash()
		}
	})
	b.Run("reference", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			referenceContentHash(inv)
		}
	})
}
