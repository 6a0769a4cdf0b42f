package rules

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// contractExamples returns the example cases (testdata/contract, copied from
// shared/contracts/examples) as name → case path.
func contractExamples(t *testing.T) map[string]string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "contract", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, p := range paths {
		if !strings.HasSuffix(p, ".expected.json") {
			out[strings.TrimSuffix(filepath.Base(p), ".json")] = p
		}
	}
	if len(out) < 6 {
		t.Fatalf("found %d contract examples in testdata/contract, want at least 6", len(out))
	}
	return out
}

// compareExpected compares the fields present in the expected answer with the same fields of
// got (both JSON), each field deeply.
func compareExpected(t *testing.T, got, expected []byte) {
	t.Helper()
	var g, w map[string]any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("answer is not a JSON object: %v\n%s", err, got)
	}
	if err := json.Unmarshal(expected, &w); err != nil {
		t.Fatalf("expected answer: %v", err)
	}
	for field, want := range w {
		gotField, ok := g[field]
		if !ok {
			t.Errorf("answer has no field %q", field)
			continue
		}
		if diff := cmp.Diff(want, gotField); diff != "" {
			t.Errorf("field %q differs (-expected +got):\n%s", field, diff)
		}
	}
}

func TestContractExamples(t *testing.T) {
	for name, path := range contractExamples(t) {
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			c, err := DecodeCase(f)
			if err != nil {
				t.Fatalf("DecodeCase: %v", err)
			}
			v, err := Evaluate(c)
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			got, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			expected, err := os.ReadFile(strings.TrimSuffix(path, ".json") + ".expected.json")
			if err != nil {
				t.Fatal(err)
			}
			compareExpected(t, got, expected)
		})
	}
}
