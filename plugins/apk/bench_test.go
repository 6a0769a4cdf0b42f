package apk

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceplus/ceplus/shared/pluginapi"
)

// BenchmarkCollect5000 reads a synthetic root with 5,000 installed packages (stanzas shaped
// like real ones, with file lists) and a main index offering a newer build of every tenth.
func BenchmarkCollect5000(b *testing.B) {
	const n = 5000
	var db, main strings.Builder
	for i := range n {
		name := fmt.Sprintf("pkg%04d", i)
		fmt.Fprintf(&db, "C:Q1%026d=\nP:%s\nV:1.%d.0_git20240101-r%d\nA:x86_64\nS:123456\nI:456789\nT:synthetic package\nU:https://example.invalid/\nL:MIT\no:origin%04d\nm:Fixture <fixture@example.invalid>\nt:1725000000\nc:%040d\nD:so:libc.musl-x86_64.so.1\n", i, name, i%50, i%7, i/3, i)
		for f := range 8 {
			fmt.Fprintf(&db, "F:usr/lib/%s\nR:lib%s.so.%d\na:0:0:755\nZ:Q1%026d=\n", name, name, f, i*8+f)
		}
		db.WriteString("\n")
		rev := i % 7
		if i%10 == 0 {
			rev++
		}
		fmt.Fprintf(&main, "P:%s\nV:1.%d.0_git20240101-r%d\nA:x86_64\no:origin%04d\n\n", name, i%50, rev, i/3)
	}
	root := alpineRoot(b, map[string][]byte{mainRepo: []byte(main.String())})
	if err := os.WriteFile(filepath.Join(root, "lib/apk/db/installed"), []byte(db.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	src := New()
	b.SetBytes(int64(db.Len()))
	b.ResetTimer()
	for b.Loop() {
		res, err := src.Collect(context.Background(), pluginapi.Request{Root: root})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Packages) != n || len(res.PendingUpdates) != n/10 {
			b.Fatalf("got %d packages and %d updates, want %d and %d", len(res.Packages), len(res.PendingUpdates), n, n/10)
		}
	}
}
