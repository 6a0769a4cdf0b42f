package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/wire"
)

// BenchmarkVerify measures the collector's CPU per upload of a 2,000-package inventory before
// the store: decompress, decode, validate, recompute the content hash.
func BenchmarkVerify(b *testing.B) {
	for _, codec := range []wire.Codec{wire.CodecGzip, wire.CodecZstd} {
		b.Run(codec.String(), func(b *testing.B) {
			inv := inventory.Inventory{Schema: inventory.SchemaVersion, CollectedAt: time.Now().UTC(),
				Device:         inventory.Device{Hostname: "h", OSFamily: "debian", OSVersion: "12", Build: "Debian 12", Ecosystem: "Debian:12"},
				Packages:       make([]inventory.Package, 2000),
				PendingUpdates: []inventory.PendingUpdate{},
			}
			for k := range inv.Packages {
				v := fmt.Sprintf("%d.%d-%d", k%9, k%17, k%5)
				inv.Packages[k] = inventory.Package{Name: fmt.Sprintf("lib-%04d", k), Version: v, SourceName: fmt.Sprintf("src-%04d", k/3), SourceVersion: v, Ecosystem: "Debian:12", Arch: "amd64"}
			}
			raw, err := json.Marshal(&inv)
			if err != nil {
				b.Fatal(err)
			}
			body, err := wire.Compress(codec, raw)
			if err != nil {
				b.Fatal(err)
			}
			up := &wire.Upload{ID: wire.NewUploadID(), ContentHash: inv.ContentHash(), Codec: codec, RawSize: int64(len(raw)), Body: body}
			s := &Server{Log: slog.New(slog.DiscardHandler)}
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.verify(context.Background(), up); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
