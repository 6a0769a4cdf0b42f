package sqlite

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/identity"
)

var groupT0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func groupAgent(t *testing.T, s *Store, name string) store.Agent {
	t.Helper()
	der := []byte("certificate of " + name)
	a := store.Agent{ID: identity.AgentIDFromCert(der), CertDER: der, Hostname: name, Build: "Debian 12",
		OSFamily: "debian", OSVersion: "12", EnrolledAt: groupT0}
	if err := s.PutAgent(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

func groupUpload(a store.Agent, id, content string) store.Upload {
	sum := sha256.Sum256([]byte(content))
	return store.Upload{AgentID: a.ID, UploadID: id, CollectedAt: groupT0, Hostname: a.Hostname,
		Document: store.Document{ContentHash: hex.EncodeToString(sum[:]), Encoding: store.EncodingJSON,
			Body: []byte(`{"c":"` + content + `"}`), Packages: 1, Build: a.Build}}
}

type putResult struct {
	dup bool
	err error
}

// heldBatches makes the committer stop before the COMMIT of its first batch until release is
// closed, and returns a channel closed when it got there.
func heldBatches(s *Store, fail error) (reached <-chan struct{}, release chan struct{}) {
	r, rel := make(chan struct{}), make(chan struct{})
	var once sync.Once
	s.testBeforeCommit = func() error {
		first := false
		once.Do(func() { first = true })
		if !first {
			return nil
		}
		close(r)
		<-rel
		return fail
	}
	return r, rel
}

// putAll starts PutInventory of every upload and waits until all of them are queued behind
// the held batch; wait returns their results in order.
func putAll(t *testing.T, s *Store, ups []store.Upload) (wait func() []putResult) {
	t.Helper()
	res := make([]putResult, len(ups))
	var wg sync.WaitGroup
	for i, u := range ups {
		wg.Go(func() { res[i].dup, res[i].err = s.PutInventory(context.Background(), u, groupT0.Add(time.Hour)) })
	}
	for len(s.puts) < len(ups) {
		runtime.Gosched()
	}
	return func() []putResult { wg.Wait(); return res }
}

func openGroupStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestGroupCommit queues uploads behind a held batch and checks that they commit together,
// each with its own result: duplicates of one upload id within the batch, a conflicting one
// and one of an unknown agent fail or dedupe alone.
func TestGroupCommit(t *testing.T) {
	s := openGroupStore(t)
	a, b := groupAgent(t, s, "alpha"), groupAgent(t, s, "beta")
	reached, release := heldBatches(s, nil)
	first := make(chan putResult)
	go func() {
		dup, err := s.PutInventory(context.Background(), groupUpload(a, "first", "one"), groupT0.Add(time.Hour))
		first <- putResult{dup, err}
	}()
	<-reached
	unknown := groupUpload(a, "u-unknown", "x")
	unknown.AgentID = identity.AgentIDFromCert([]byte("never enrolled"))
	ups := []store.Upload{
		groupUpload(a, "u1", "two"), groupUpload(b, "u1", "two"), // same id, other agents: both stored
		groupUpload(a, "same", "three"), groupUpload(a, "same", "three"), // one stored, one duplicate
		groupUpload(b, "clash", "four"), groupUpload(b, "clash", "five"), // the second conflicts
		unknown,
		groupUpload(b, "last", "six"),
	}
	wait := putAll(t, s, ups)
	close(release)
	if r := <-first; r.err != nil || r.dup {
		t.Fatalf("first upload = %v, %v", r.dup, r.err)
	}
	res := wait()
	if n := s.testBatches.Load(); n != 2 {
		t.Errorf("%d batches committed, want 2 (the held one, then all the queued uploads)", n)
	}
	ok := func(i int) bool { return res[i].err == nil && !res[i].dup }
	// The queued uploads reach the committer in any order: check each pair as a pair.
	for _, i := range []int{0, 1, 7} {
		if !ok(i) {
			t.Errorf("upload %d (%s of %s) = %v, %v; want stored", i, ups[i].UploadID, ups[i].Hostname, res[i].dup, res[i].err)
		}
	}
	if dups := []bool{res[2].dup, res[3].dup}; res[2].err != nil || res[3].err != nil || dups[0] == dups[1] {
		t.Errorf("same upload twice in one batch = %v/%v, %v/%v; want one stored, one duplicate", res[2].dup, res[3].dup, res[2].err, res[3].err)
	}
	winner, loser := 4, 5
	if !ok(4) {
		winner, loser = 5, 4
	}
	if !ok(winner) || !errors.Is(res[loser].err, store.ErrUploadConflict) {
		t.Errorf("clashing uploads = %v, %v; want one stored, one ErrUploadConflict", res[4].err, res[5].err)
	}
	if !errors.Is(res[6].err, store.ErrNotFound) {
		t.Errorf("upload of an unknown agent = %v, want ErrNotFound", res[6].err)
	}
	for _, tc := range []struct {
		a    store.Agent
		want map[string]string
	}{
		{a, map[string]string{"first": groupUpload(a, "first", "one").ContentHash, "same": ups[2].ContentHash, "u1": ups[0].ContentHash}},
		{b, map[string]string{"clash": ups[winner].ContentHash, "last": ups[7].ContentHash, "u1": ups[1].ContentHash}},
	} {
		h, err := s.InventoryHistory(context.Background(), tc.a.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, u := range h {
			got[u.UploadID] = u.ContentHash
		}
		if len(h) != len(tc.want) || fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s stored %d uploads %v, want %v", tc.a.Hostname, len(h), got, tc.want)
		}
	}
}

// TestFailedBatchStoresNothing fails a whole batch at its COMMIT: every caller in it gets the
// error (so none is acknowledged), nothing is stored, and the retries commit normally.
func TestFailedBatchStoresNothing(t *testing.T) {
	s := openGroupStore(t)
	a := groupAgent(t, s, "alpha")
	reached, release := heldBatches(s, errors.New("disk on fire"))
	ups := make([]store.Upload, 6)
	for i := range ups {
		ups[i] = groupUpload(a, fmt.Sprintf("u%d", i), fmt.Sprintf("content %d", i))
	}
	first := make(chan error)
	go func() {
		_, err := s.PutInventory(context.Background(), ups[0], groupT0.Add(time.Hour))
		first <- err
	}()
	<-reached
	// These queue behind the failing batch and make up the next one, which commits.
	wait := putAll(t, s, ups[1:3])
	close(release)
	if err := <-first; err == nil {
		t.Fatal("upload in the failed batch succeeded")
	}
	for i, r := range wait() {
		if r.err != nil || r.dup {
			t.Errorf("upload %d after the failed batch = %v, %v", i+1, r.dup, r.err)
		}
	}
	h, err := s.InventoryHistory(context.Background(), a.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range h {
		if u.UploadID == "u0" {
			t.Fatalf("upload of the failed batch was stored")
		}
	}
	if len(h) != 2 {
		t.Fatalf("%d uploads stored, want 2", len(h))
	}
	// The agent retries: stored once, not a duplicate.
	if dup, err := s.PutInventory(context.Background(), ups[0], groupT0.Add(2*time.Hour)); err != nil || dup {
		t.Fatalf("retry = %v, %v; want false, nil", dup, err)
	}
	if dup, err := s.PutInventory(context.Background(), ups[0], groupT0.Add(3*time.Hour)); err != nil || !dup {
		t.Fatalf("second retry = %v, %v; want true, nil", dup, err)
	}
}

// TestPutAfterClose: a closed store refuses uploads instead of hanging.
func TestPutAfterClose(t *testing.T) {
	s := openGroupStore(t)
	a := groupAgent(t, s, "alpha")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutInventory(context.Background(), groupUpload(a, "late", "x"), groupT0); err == nil {
		t.Fatal("PutInventory after Close succeeded")
	}
}
