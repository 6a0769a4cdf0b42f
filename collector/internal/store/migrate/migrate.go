// Package migrate reads the numbered SQL migrations a store backend embeds and works out which
// of them a database still needs. The backends run them, each in its own dialect, inside one
// transaction and record every applied number in a schema_migrations table.
package migrate

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"

	"github.com/ceplus/ceplus/collector/internal/store"
)

// Migration is one numbered schema change.
type Migration struct {
	Version int    // the number the file name starts with: 1 for 0001_init.sql
	Name    string // the file name
	SQL     string
}

var fileName = regexp.MustCompile(`^(\d{4})_[a-z0-9_]+\.sql$`)

// Load reads every migration under dir of fsys. Names are NNNN_words.sql, numbered 1, 2, 3…
// without gaps or repeats; anything else is a programming error reported with the file name.
func Load(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations %s: %w", dir, err)
	}
	var ms []Migration
	for _, e := range entries {
		m := fileName.FindStringSubmatch(e.Name())
		if m == nil || e.IsDir() {
			return nil, fmt.Errorf("migration %s: name must look like 0001_words.sql", path.Join(dir, e.Name()))
		}
		v, _ := strconv.Atoi(m[1]) // four digits: cannot fail
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		ms = append(ms, Migration{Version: v, Name: e.Name(), SQL: string(b)})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: want number %04d here (migrations are numbered 1, 2, 3… without gaps or repeats)", m.Name, i+1)
		}
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("read migrations %s: none found", dir)
	}
	return ms, nil
}

// Pending returns the migrations that a database which already applied the versions in applied
// still needs, in order. A database that applied a version this program does not know was
// migrated by a newer ceplus: Pending refuses it with store.ErrSchemaTooNew, naming where.
func Pending(where string, all []Migration, applied []int) ([]Migration, error) {
	done := map[int]bool{}
	for _, v := range applied {
		done[v] = true
		if v > len(all) || v < 1 {
			return nil, fmt.Errorf("%s is at schema version %d but this ceplus knows versions up to %d only: run a ceplus-collector at least as new as the one that last used it (or use another --data/--store): %w",
				where, slices.Max(applied), len(all), store.ErrSchemaTooNew)
		}
	}
	var out []Migration
	for _, m := range all {
		if !done[m.Version] {
			out = append(out, m)
		}
	}
	return out, nil
}
