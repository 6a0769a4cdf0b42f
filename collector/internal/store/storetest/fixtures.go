package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/identity"
	"github.com/ceplus/ceplus/shared/inventory"
)

// t0 has nanoseconds on purpose: the store must round it to the microsecond.
var t0 = time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.FixedZone("CET", 3600))

// at returns t0 plus d, rounded as the store keeps times.
func at(d time.Duration) time.Time { return store.Instant(t0.Add(d)) }

// agent returns a valid agent whose fake certificate is derived from name.
func agent(name string) store.Agent {
	der := []byte("certificate of " + name)
	return store.Agent{
		ID: identity.AgentIDFromCert(der), CertDER: der, Hostname: name, Build: "Debian 12",
		OSFamily: "debian", OSVersion: "12.5", MachineID: "mid-" + name, EnrolledAt: at(0),
	}
}

func mustPutAgent(t testing.TB, e *env, a store.Agent) {
	t.Helper()
	if err := e.s.PutAgent(e.ctx, a); err != nil {
		t.Fatalf("PutAgent %s: %v", a.Hostname, err)
	}
}

// token returns a valid single-use enrolment token for secret.
func token(secret string) store.Token {
	return store.Token{Hash: store.HashToken(secret), Role: store.RoleEnrol, CreatedAt: at(0), ExpiresAt: at(24 * time.Hour)}
}

// inventoryJSON returns a realistic inventory of n Debian packages; variant changes every
// version so that each variant has its own content hash.
func inventoryJSON(n, variant int) (body []byte, contentHash string) {
	inv := inventory.Inventory{
		Schema: inventory.SchemaVersion, CollectedAt: t0.UTC(),
		Device: inventory.Device{Hostname: "host", OSFamily: inventory.FamilyDebian, OSName: "Debian GNU/Linux",
			OSVersion: "12.5", Kernel: "6.1.0-21-amd64", Arch: "amd64", Ecosystem: "Debian:12", Build: "Debian 12"},
		Packages:       make([]inventory.Package, n),
		PendingUpdates: []inventory.PendingUpdate{},
		Sources:        []inventory.SourceStatus{{Name: "dpkg", Status: inventory.Succeeded, DurationMS: 41}},
	}
	for i := range inv.Packages {
		v := fmt.Sprintf("1:%d.%d.%d-%d+deb12u%d", i%7, i%13, variant, i%5, i%3)
		inv.Packages[i] = inventory.Package{
			Name:    fmt.Sprintf("lib%s-package-%04d", []string{"ssl", "xml2", "gnutls", "curl", "krb5"}[i%5], i),
			Version: v, SourceName: fmt.Sprintf("source-package-%04d", i/3), SourceVersion: v,
			Ecosystem: "Debian:12", Arch: "amd64",
		}
	}
	b, err := json.Marshal(inv)
	if err != nil {
		panic(err)
	}
	return b, inv.ContentHash()
}

// upload returns an upload of a small document with content hash derived from content.
func upload(a store.Agent, uploadID, content string, collected time.Time) store.Upload {
	sum := sha256.Sum256([]byte(content))
	return store.Upload{
		AgentID: a.ID, UploadID: uploadID, CollectedAt: collected, Hostname: a.Hostname,
		Meta: json.RawMessage(`{"sources":[{"name":"dpkg","status":"succeeded"}]}`),
		Document: store.Document{ContentHash: hex.EncodeToString(sum[:]), Encoding: store.EncodingJSON,
			Body: []byte(`{"content":"` + content + `"}`), Packages: len(content), Build: a.Build},
	}
}
