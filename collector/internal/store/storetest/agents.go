package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/google/go-cmp/cmp"
)

var agentTests = []test{
	{"put and get round-trip", func(t *testing.T, e *env) {
		a := agent("alpha")
		a.EnrolledAt = t0 // with nanoseconds: the store rounds
		a.AssessmentID, a.ScopeEntry = "asm-1", "entry-7"
		mustPutAgent(t, e, a)
		got, err := e.s.GetAgent(e.ctx, a.ID)
		if err != nil {
			t.Fatalf("GetAgent: %v", err)
		}
		a.EnrolledAt = at(0)
		if diff := cmp.Diff(a, got); diff != "" {
			t.Errorf("GetAgent (-want +got):\n%s", diff)
		}
	}},
	{"put again updates reported facts only", func(t *testing.T, e *env) {
		a := agent("alpha")
		a.AssessmentID = "asm-1"
		mustPutAgent(t, e, a)
		if err := e.s.RevokeAgent(e.ctx, a.ID, "lost", at(time.Hour)); err != nil {
			t.Fatal(err)
		}
		b := a
		b.Hostname, b.Build, b.OSVersion, b.MachineID = "alpha-renamed", "Debian 13", "13.0", "mid-2"
		b.EnrolledAt, b.AssessmentID, b.ScopeEntry = at(48*time.Hour), "", "entry-3"
		mustPutAgent(t, e, b)
		got, err := e.s.GetAgent(e.ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := b
		want.EnrolledAt, want.AssessmentID = a.EnrolledAt, "asm-1"
		want.RevokedAt, want.RevokeReason = at(time.Hour), "lost"
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("after second PutAgent (-want +got):\n%s", diff)
		}
	}},
	{"invalid agents refused", func(t *testing.T, e *env) {
		good := agent("alpha")
		tests := []struct {
			name string
			edit func(*store.Agent)
		}{
			{"id not the certificate hash", func(a *store.Agent) { a.ID = agent("other").ID }},
			{"no certificate", func(a *store.Agent) { a.CertDER = nil }},
			{"zero enrolment time", func(a *store.Agent) { a.EnrolledAt = time.Time{} }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				a := good
				tt.edit(&a)
				if err := e.s.PutAgent(e.ctx, a); !errors.Is(err, store.ErrInvalid) {
					t.Errorf("PutAgent = %v, want ErrInvalid", err)
				}
			})
		}
	}},
	{"unknown agent", func(t *testing.T, e *env) {
		id := agent("ghost").ID
		if _, err := e.s.GetAgent(e.ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetAgent = %v, want ErrNotFound", err)
		}
		if _, err := e.s.IsRevoked(e.ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("IsRevoked = %v, want ErrNotFound", err)
		}
		if err := e.s.RevokeAgent(e.ctx, id, "x", at(0)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("RevokeAgent = %v, want ErrNotFound", err)
		}
		if err := e.s.TouchAgent(e.ctx, id, at(0)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("TouchAgent = %v, want ErrNotFound", err)
		}
	}},
	{"revoke is idempotent and keeps the first reason", func(t *testing.T, e *env) {
		a := agent("alpha")
		mustPutAgent(t, e, a)
		if r, err := e.s.IsRevoked(e.ctx, a.ID); err != nil || r {
			t.Fatalf("IsRevoked before = %v, %v; want false, nil", r, err)
		}
		for i, reason := range []string{"stolen laptop", "again"} {
			if err := e.s.RevokeAgent(e.ctx, a.ID, reason, at(time.Duration(i+1)*time.Hour)); err != nil {
				t.Fatalf("RevokeAgent #%d: %v", i+1, err)
			}
		}
		if r, err := e.s.IsRevoked(e.ctx, a.ID); err != nil || !r {
			t.Fatalf("IsRevoked after = %v, %v; want true, nil", r, err)
		}
		got, err := e.s.GetAgent(e.ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Revoked() || !got.RevokedAt.Equal(at(time.Hour)) || got.RevokeReason != "stolen laptop" {
			t.Errorf("revoked at %v for %q, want %v for %q", got.RevokedAt, got.RevokeReason, at(time.Hour), "stolen laptop")
		}
	}},
	{"touch never moves last seen backwards", func(t *testing.T, e *env) {
		a := agent("alpha")
		mustPutAgent(t, e, a)
		for _, d := range []time.Duration{time.Minute, 3 * time.Minute, 2 * time.Minute} {
			if err := e.s.TouchAgent(e.ctx, a.ID, t0.Add(d)); err != nil {
				t.Fatalf("TouchAgent: %v", err)
			}
		}
		got, err := e.s.GetAgent(e.ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.LastSeen.Equal(at(3 * time.Minute)) {
			t.Errorf("LastSeen = %v, want %v", got.LastSeen, at(3*time.Minute))
		}
	}},
	{"list orders, filters and summarises the latest inventory", func(t *testing.T, e *env) {
		zed, alpha, mid := agent("zed"), agent("alpha"), agent("mid")
		zed.AssessmentID, alpha.AssessmentID = "asm-1", "asm-1"
		for _, a := range []store.Agent{zed, alpha, mid} {
			mustPutAgent(t, e, a)
		}
		if err := e.s.RevokeAgent(e.ctx, zed.ID, "gone", at(time.Hour)); err != nil {
			t.Fatal(err)
		}
		for i, c := range []string{"old", "new"} {
			if _, err := e.s.PutInventory(e.ctx, upload(alpha, c, c+"-content", at(time.Duration(i)*time.Hour)), at(2*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			name string
			f    store.AgentFilter
			want []string
		}{
			{"all", store.AgentFilter{}, []string{"alpha", "mid", "zed"}},
			{"assessment", store.AgentFilter{AssessmentID: "asm-1"}, []string{"alpha", "zed"}},
			{"not revoked", store.AgentFilter{ExcludeRevoked: true}, []string{"alpha", "mid"}},
			{"both", store.AgentFilter{AssessmentID: "asm-1", ExcludeRevoked: true}, []string{"alpha"}},
			{"none", store.AgentFilter{AssessmentID: "asm-9"}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				list, err := e.s.ListAgents(e.ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, a := range list {
					got = append(got, a.Hostname)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("ListAgents (-want +got):\n%s", diff)
				}
			})
		}
		list, err := e.s.ListAgents(e.ctx, store.AgentFilter{})
		if err != nil {
			t.Fatal(err)
		}
		up := upload(alpha, "new", "new-content", at(time.Hour))
		want := &store.UploadSummary{UploadID: "new", ContentHash: up.ContentHash, Packages: up.Packages, Build: up.Build,
			Hostname: "alpha", CollectedAt: at(time.Hour), ReceivedAt: at(2 * time.Hour), Meta: up.Meta}
		if diff := cmp.Diff(want, list[0].Latest); diff != "" {
			t.Errorf("alpha's latest (-want +got):\n%s", diff)
		}
		if list[1].Latest != nil {
			t.Errorf("mid has no inventory, Latest = %+v", list[1].Latest)
		}
		got, err := e.s.GetAgent(e.ctx, alpha.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got.Latest); diff != "" {
			t.Errorf("GetAgent latest (-want +got):\n%s", diff)
		}
	}},
}
