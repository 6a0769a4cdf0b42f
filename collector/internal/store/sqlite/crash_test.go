package sqlite

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/identity"
)

// TestAcknowledgedSurvivesKill runs a child process that stores uploads and prints each id once
// PutInventory has returned (the moment the ingest acknowledges), kills it with SIGKILL in the
// middle, and checks that every acknowledged upload is in the reopened database.
func TestAcknowledgedSurvivesKill(t *testing.T) {
	if os.Getenv("CEPLUS_STORE_CRASH_CHILD") != "" {
		crashChild()
		return
	}
	path := filepath.Join(t.TempDir(), FileName)
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestAcknowledgedSurvivesKill$")
	cmd.Env = append(os.Environ(), "CEPLUS_STORE_CRASH_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if id, ok := strings.CutPrefix(sc.Text(), "ACK "); ok {
			acked = append(acked, id)
			if len(acked) == 40 {
				break
			}
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil {
		t.Fatal("the child exited cleanly: it should have been killed")
	}
	if len(acked) < 40 {
		t.Fatalf("child acknowledged only %d uploads before it stopped", len(acked))
	}
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer s.Close()
	hist, err := s.InventoryHistory(t.Context(), crashAgent().ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, h := range hist {
		stored[h.UploadID] = true
	}
	for _, id := range acked {
		if !stored[id] {
			t.Errorf("acknowledged upload %s is missing after the kill", id)
		}
	}
	t.Logf("%d acknowledged before the kill, %d stored", len(acked), len(hist))
}

func crashAgent() store.Agent {
	der := []byte("crash test agent")
	return store.Agent{ID: identity.AgentIDFromCert(der), CertDER: der, Hostname: "crash", EnrolledAt: time.Unix(1, 0)}
}

// crashChild stores uploads until it is killed.
func crashChild() {
	ctx := context.Background()
	s, err := Open(ctx, os.Getenv("CEPLUS_STORE_CRASH_CHILD"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	a := crashAgent()
	if err := s.PutAgent(ctx, a); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	body := []byte(`{"packages":[` + strings.Repeat(`{"name":"p","version":"1"},`, 5000) + `{}]}`)
	for i := 0; ; i++ {
		u := store.Upload{AgentID: a.ID, UploadID: fmt.Sprintf("u%d", i), CollectedAt: time.Unix(int64(i+1), 0),
			Document: store.Document{ContentHash: fmt.Sprintf("%064x", i), Body: body, Packages: 5000}}
		if _, err := s.PutInventory(ctx, u, time.Unix(int64(i+1), 0)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("ACK %s\n", u.UploadID)
	}
}
