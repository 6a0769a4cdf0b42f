package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store/pgtest"
)

// TestLockAcrossStores: two stores on one schema (two collector processes) exclude each other
// on one key and not on another.
func TestLockAcrossStores(t *testing.T) {
	u := pgtest.Schema(t)
	ctx := context.Background()
	a, err := Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	unlock, err := a.Lock(ctx, "asm-1")
	if err != nil {
		t.Fatal(err)
	}
	other, err := b.Lock(ctx, "asm-2")
	if err != nil {
		t.Fatalf("lock another key: %v", err)
	}
	other()
	got := make(chan func(), 1)
	go func() {
		u, err := b.Lock(ctx, "asm-1")
		if err != nil {
			t.Error(err)
			u = func() {}
		}
		got <- u
	}()
	select {
	case u := <-got:
		u()
		t.Fatal("the second store took asm-1 while the first held it")
	case <-time.After(300 * time.Millisecond): // still waiting, as it must
	}
	unlock()
	(<-got)()
}

// TestNotify: a message sent through one store reaches the listener of another on the same
// schema, and not a listener of another channel.
func TestNotify(t *testing.T) {
	u := pgtest.Schema(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, err := Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	msgs, err := b.Listen(ctx, "scan")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Notify(ctx, "other", []byte("no")); err != nil {
		t.Fatal(err)
	}
	if err := a.Notify(ctx, "scan", []byte(`{"agent":"ab"}`)); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-msgs:
		if string(m) != `{"agent":"ab"}` {
			t.Errorf("got %q, want the scan message", m)
		}
	case <-ctx.Done():
		t.Fatal("no message arrived")
	}
}
