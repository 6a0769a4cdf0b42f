package sample

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ceplus/ceplus/shared/rules"
)

// docVectors returns the fenced blocks of docs/sampling.md labelled "vector:NAME", by NAME.
func docVectors(t *testing.T) map[string]string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", "sampling.md"))
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("(?s)```[a-z]+ vector:([a-z0-9-]+)\n(.*?)```")
	out := map[string]string{}
	for _, m := range re.FindAllStringSubmatch(string(src), -1) {
		out[m[1]] = m[2]
	}
	for _, name := range []string{"scope", "encoding", "scope-hash", "streams", "sample1", "sample2"} {
		if _, ok := out[name]; !ok {
			t.Fatalf("docs/sampling.md has no block labelled vector:%s", name)
		}
	}
	return out
}

// teeHash is a SHA-256 that also keeps every byte written to it.
type teeHash struct {
	bytes.Buffer
	sha interface {
		Write([]byte) (int, error)
		Sum([]byte) []byte
	}
}

func (h *teeHash) Write(p []byte) (int, error) { h.Buffer.Write(p); return h.sha.Write(p) }
func (h *teeHash) Sum(b []byte) []byte         { return h.sha.Sum(b) }
func (h *teeHash) Size() int                   { return sha256.Size }
func (h *teeHash) BlockSize() int              { return sha256.BlockSize }

// TestDocVector checks the implementation against exactly the values printed in the test vector
// of docs/sampling.md: the canonical encoding, the scope hash, the stream inputs and words, and
// both results byte for byte.
func TestDocVector(t *testing.T) {
	v := docVectors(t)
	var scope struct {
		Devices []rules.Device `json:"devices"`
		Policy  Policy         `json:"policy"`
	}
	if err := json.Unmarshal([]byte(v["scope"]), &scope); err != nil {
		t.Fatalf("vector:scope: %v", err)
	}

	sorted, err := sortScope(scope.Devices)
	if err != nil {
		t.Fatal(err)
	}
	tee := &teeHash{sha: sha256.New()}
	enc := encoder{h: tee, buf: make([]byte, 0, 64)} // small buffer: exercises flushing too
	enc.raw(scopeTag)
	enc.uint64(uint64(len(sorted)))
	for _, d := range sorted {
		enc.field(d.ID)
		enc.field(d.Type)
		enc.field(d.Build)
	}
	sum := enc.sum()
	if got, want := hex.EncodeToString(tee.Bytes()), strings.Join(strings.Fields(v["encoding"]), ""); got != want {
		t.Errorf("canonical encoding:\n got %s\nwant %s", got, want)
	}
	wantHash := strings.TrimSpace(v["scope-hash"])
	if got := ScopeHash(scope.Devices); got != wantHash {
		t.Errorf("ScopeHash = %s, doc says %s", got, wantHash)
	}
	if got := fmt.Sprintf("%x", sum); got != wantHash {
		t.Errorf("hash of the encoding = %s, doc says %s", got, wantHash)
	}
	if got := fmt.Sprintf("%x", hashSorted(sorted)); got != wantHash {
		t.Errorf("hashSorted = %s, doc says %s", got, wantHash)
	}

	var streams []struct {
		Seed        string   `json:"seed"`
		Sample      int      `json:"sample"`
		Build       string   `json:"build"`
		Block0Input string   `json:"block0_input"`
		Words       []string `json:"words"`
	}
	if err := json.Unmarshal([]byte(v["streams"]), &streams); err != nil {
		t.Fatalf("vector:streams: %v", err)
	}
	for _, st := range streams {
		t.Run(fmt.Sprintf("stream/sample %d/%s", st.Sample, st.Build), func(t *testing.T) {
			seed, err := ParseSeed(st.Seed)
			if err != nil {
				t.Fatal(err)
			}
			s := newStream(seed, sum, st.Sample, st.Build)
			if got := hex.EncodeToString(s.msg); got != st.Block0Input {
				t.Errorf("block 0 input:\n got %s\nwant %s", got, st.Block0Input)
			}
			var got []string
			for range st.Words {
				got = append(got, fmt.Sprintf("%016x", s.word()))
			}
			if diff := cmp.Diff(st.Words, got); diff != "" {
				t.Errorf("words (-doc +got):\n%s", diff)
			}
		})
	}

	var want1, want2 Result
	if err := json.Unmarshal([]byte(v["sample1"]), &want1); err != nil {
		t.Fatalf("vector:sample1: %v", err)
	}
	if err := json.Unmarshal([]byte(v["sample2"]), &want2); err != nil {
		t.Fatalf("vector:sample2: %v", err)
	}
	seed1, err := ParseSeed(want1.Seed)
	if err != nil {
		t.Fatal(err)
	}
	seed2, err := ParseSeed(want2.Seed)
	if err != nil {
		t.Fatal(err)
	}
	got1 := mustDraw(t, scope.Devices, scope.Policy, 1, nil, seed1)
	var exclude []string
	for _, ids := range got1.Devices {
		exclude = append(exclude, ids...)
	}
	got2 := mustDraw(t, scope.Devices, scope.Policy, 2, exclude, seed2)
	for _, c := range []struct {
		name      string
		got, want Result
		text      string
	}{{"sample1", got1, want1, v["sample1"]}, {"sample2", got2, want2, v["sample2"]}} {
		t.Run(c.name, func(t *testing.T) {
			if diff := cmp.Diff(c.want, c.got); diff != "" {
				t.Errorf("result differs from the doc (-doc +got):\n%s", diff)
			}
			text, err := json.MarshalIndent(c.got, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			if string(text) != strings.TrimSpace(c.text) {
				t.Errorf("printed JSON differs from the doc:\n%s", text)
			}
			if err := Verify(c.want, scope.Devices); err != nil {
				t.Errorf("Verify(doc result): %v", err)
			}
		})
	}
}
