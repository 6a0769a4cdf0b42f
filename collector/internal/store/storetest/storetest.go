// Package storetest is the conformance suite that every implementation of store.Store passes:
// one test body per behaviour, run against SQLite and PostgreSQL alike, plus the benchmarks
// that report their throughput.
package storetest

import (
	"context"
	"testing"

	"github.com/ceplus/ceplus/collector/internal/store"
)

// Harness is what an implementation gives the suite.
type Harness struct {
	// New creates a fresh, empty database for one test, registers its removal with t.Cleanup,
	// and returns a function that opens it. The function may be called many times, also
	// concurrently and after an earlier store on the same database was closed.
	New func(t testing.TB) (open func(ctx context.Context) (store.Store, error))
	// Unguard lists the statements that lift the database's append-only guard on events, so
	// that the tamper tests can edit history the way an intruder with database access would.
	Unguard []string
}

// RawExecer is implemented by stores that can run raw SQL (a test and repair hook).
type RawExecer interface {
	RawExec(ctx context.Context, query string) error
}

// Run runs the whole conformance suite.
func Run(t *testing.T, h Harness) {
	groups := []struct {
		name  string
		tests []test
	}{
		{"agents", agentTests},
		{"tokens", tokenTests},
		{"inventories", inventoryTests},
		{"events", eventTests},
		{"headers", headerTests},
		{"erasures", erasureTests},
		{"meta", metaTests},
		{"migrations", migrationTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tt := range g.tests {
				t.Run(tt.name, func(t *testing.T) {
					tt.run(t, newEnv(t, h))
				})
			}
		})
	}
}

// test is one behaviour of the contract.
type test struct {
	name string
	run  func(t *testing.T, e *env)
}

// env is one test's fresh database and an open store on it.
type env struct {
	h    Harness
	open func(ctx context.Context) (store.Store, error)
	s    store.Store
	ctx  context.Context
}

func newEnv(t testing.TB, h Harness) *env {
	open := h.New(t)
	ctx := t.Context()
	s, err := open(ctx)
	if err != nil {
		t.Fatalf("open fresh store: %v", err)
	}
	e := &env{h: h, open: open, s: s, ctx: ctx}
	t.Cleanup(func() { e.s.Close() })
	return e
}

// raw runs raw SQL on the env's store, failing the test when the store has no such hook.
func (e *env) raw(t testing.TB, query string) error {
	t.Helper()
	r, ok := e.s.(RawExecer)
	if !ok {
		t.Fatalf("%T has no RawExec test hook", e.s)
	}
	return r.RawExec(e.ctx, query)
}

// reopen closes the env's store and opens the same database again.
func (e *env) reopen(t testing.TB) {
	t.Helper()
	if err := e.s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	s, err := e.open(e.ctx)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	e.s = s
}
