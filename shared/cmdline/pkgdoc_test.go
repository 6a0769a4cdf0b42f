package cmdline

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPackageDocs enforces the house rule: every package of the module has exactly one package
// doc comment, and it starts with "Package <name>" (or "Command <name>" for a main package).
func TestPackageDocs(t *testing.T) {
	root := filepath.Join("..", "..")
	dirs := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "bin" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			dirs[filepath.Dir(path)] = append(dirs[filepath.Dir(path)], path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 3 {
		t.Fatalf("found only %d package directories under %s: walk is broken", len(dirs), root)
	}
	for dir, files := range dirs {
		var docs []string
		var pkgName string
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(src), "Code generated") {
				continue
			}
			af, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ParseComments|parser.PackageClauseOnly)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			pkgName = af.Name.Name
			if af.Doc != nil {
				docs = append(docs, f)
				text := af.Doc.Text()
				want := "Package " + pkgName + " "
				if pkgName == "main" {
					want = "Command "
				}
				if !strings.HasPrefix(text, want) {
					t.Errorf("%s: package doc should start with %q, got %q", f, want, firstLine(text))
				}
			}
		}
		if pkgName == "" {
			continue
		}
		if len(docs) != 1 {
			t.Errorf("%s: package %s has %d package doc comments (%v), want exactly 1", dir, pkgName, len(docs), docs)
		}
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
