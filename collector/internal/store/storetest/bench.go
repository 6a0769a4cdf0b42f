package storetest

import (
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
)

// benchPackages is the size of the inventories the ingest target is stated for.
const benchPackages = 2000

// Bench runs the store benchmarks: PutInventory of distinct 2,000-package inventories (about
// 300 KB of JSON each), serially and from several goroutines, and AppendEvent. Each reports
// ops/s besides ns/op.
func Bench(b *testing.B, h Harness) {
	b.Run("PutInventory2000", func(b *testing.B) { benchPut(b, h, false) })
	b.Run("PutInventory2000Parallel", func(b *testing.B) { benchPut(b, h, true) })
	b.Run("AppendEvent", func(b *testing.B) { benchAppend(b, h, false) })
	b.Run("AppendEventParallel", func(b *testing.B) { benchAppend(b, h, true) })
}

func benchPut(b *testing.B, h Harness, parallel bool) {
	e := newEnv(b, h)
	agents := make([]store.Agent, 16)
	for i := range agents {
		agents[i] = agent(fmt.Sprintf("host-%02d", i))
		mustPutAgent(b, e, agents[i])
	}
	// A few hundred distinct bodies, each under many content hashes, keep the set-up short
	// while every upload stores a new document.
	bodies := make([][]byte, 32)
	for i := range bodies {
		bodies[i], _ = inventoryJSON(benchPackages, i)
	}
	b.SetBytes(int64(len(bodies[0])))
	measure(b, parallel, "inventories/s", func(i int64) error {
		a := agents[i%int64(len(agents))]
		u := store.Upload{AgentID: a.ID, UploadID: fmt.Sprintf("up-%d", i), CollectedAt: at(time.Duration(i) * time.Second),
			Hostname: a.Hostname, Document: store.Document{ContentHash: fmt.Sprintf("%064x", i), Encoding: store.EncodingJSON,
				Body: bodies[i%int64(len(bodies))], Packages: benchPackages, Build: "Debian 12"}}
		_, err := e.s.PutInventory(e.ctx, u, at(time.Duration(i)*time.Second))
		return err
	})
}

func benchAppend(b *testing.B, h Harness, parallel bool) {
	e := newEnv(b, h)
	payload := json.RawMessage(`{"device":"dev-000123","build":"Windows 11 Pro 24H2","result":"pass","findings":[]}`)
	measure(b, parallel, "events/s", func(i int64) error {
		_, err := e.s.AppendEvent(e.ctx, "asm-bench", "test_recorded", payload, at(time.Duration(i)*time.Millisecond))
		return err
	})
}

// measure times op, called with 1, 2, 3…, b.N times (from 4×GOMAXPROCS goroutines when
// parallel), and reports the calls per second as unit.
func measure(b *testing.B, parallel bool, unit string, op func(i int64) error) {
	var n atomic.Int64
	do := func() error { return op(n.Add(1)) }
	b.ResetTimer()
	start := time.Now()
	if parallel {
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := do(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	} else {
		for b.Loop() {
			if err := do(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(n.Load())/time.Since(start).Seconds(), unit)
}
