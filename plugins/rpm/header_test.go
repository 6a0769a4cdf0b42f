package rpm

import (
	"context"
	"database/sql"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/pluginapi"
	"github.com/google/go-cmp/cmp"
)

// blob builds a header blob from index entries and a data store.
func blob(entries [][4]uint32, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(entries)))
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	for _, e := range entries {
		for _, v := range e {
			b = binary.BigEndian.AppendUint32(b, v)
		}
	}
	return append(b, data...)
}

func TestParseHeader(t *testing.T) {
	data := []byte("foo\x001.0\x002\x00\x00\x00" + "\x00\x00\x00\x07")
	epoch := int32(7)
	tests := []struct {
		name    string
		blob    []byte
		want    header
		wantErr string
	}{
		{"fields", blob([][4]uint32{{tagName, typeString, 0, 1}, {tagVersion, typeString, 4, 1}, {tagRelease, typeString, 8, 1}, {tagEpoch, typeInt32, 12, 1}}, data),
			header{Name: "foo", Version: "1.0", Release: "2", Epoch: &epoch}, ""},
		{"later entry wins", blob([][4]uint32{{tagName, typeString, 0, 1}, {tagVersion, typeString, 4, 1}, {tagVersion, typeString, 8, 1}}, data),
			header{Name: "foo", Version: "2"}, ""},
		{"short preamble", []byte{0, 0, 0}, header{}, "shorter than its 8-byte preamble"},
		{"no tags", blob(nil, data), header{}, "outside rpm's limits"},
		{"truncated", blob([][4]uint32{{tagName, typeString, 0, 1}}, data)[:20], header{}, "shorter than its 1 tags"},
		{"string offset outside data", blob([][4]uint32{{tagName, typeString, 99, 1}}, data), header{}, "not a string within"},
		{"wrong type", blob([][4]uint32{{tagName, typeInt32, 0, 1}}, data), header{}, "not a string within"},
		{"unterminated", blob([][4]uint32{{tagName, typeString, 0, 1}}, []byte("foo")), header{}, "not NUL-terminated"},
		{"epoch outside data", blob([][4]uint32{{tagName, typeString, 0, 1}, {tagEpoch, typeInt32, 14, 1}}, data), header{}, "(epoch)"},
		{"no name", blob([][4]uint32{{tagVersion, typeString, 4, 1}}, data), header{}, "no name or version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseHeader(tt.blob)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("header (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCollectPartial corrupts one package's header in a copy of the sqlite database: the
// run ends Partial, names the record, and still reports the other packages.
func TestCollectPartial(t *testing.T) {
	root := filepath.Join(t.TempDir(), "rocky9")
	if err := os.CopyFS(root, os.DirFS(testRoot(t, "rocky9"))); err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(root, "var/lib/rpm/rpmdb.sqlite")
	if err := os.Chmod(dbPath, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	r, err := db.Exec("UPDATE Packages SET blob = x'0000000100000004' WHERE instr(blob, 'ceplus-tilde') > 0")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := r.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("corrupted %d rows (%v), want 1", n, err)
	}
	if _, err := db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	res, err := New().Collect(context.Background(), pluginapi.Request{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status.Status != inventory.Partial || len(res.Status.Errors) != 1 || !strings.Contains(res.Status.Errors[0], "hnum") {
		t.Errorf("status = %+v, want partial with one error naming the record", res.Status)
	}
	var names []string
	for _, p := range res.Packages {
		names = append(names, p.Name)
	}
	if diff := cmp.Diff([]string{"ceplus-caret", "ceplus-openssl", "ceplus-openssl-libs"}, names); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
}
