package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/google/go-cmp/cmp"
)

var tokenTests = []test{
	{"put, get and list", func(t *testing.T, e *env) {
		enrol := token("enrol-secret")
		enrol.AssessmentID, enrol.ScopeEntry = "asm-1", "entry-2"
		api := store.Token{Hash: store.HashToken("api-secret"), Role: store.RoleAssessor, Uses: store.Unlimited, CreatedAt: t0.Add(time.Minute)}
		for _, tok := range []store.Token{enrol, api} {
			if err := e.s.PutToken(e.ctx, tok); err != nil {
				t.Fatalf("PutToken %s: %v", tok.Role, err)
			}
		}
		got, err := e.s.GetToken(e.ctx, enrol.Hash)
		if err != nil {
			t.Fatal(err)
		}
		enrol.Uses = 1 // 0 means single use
		if diff := cmp.Diff(enrol, got); diff != "" {
			t.Errorf("GetToken (-want +got):\n%s", diff)
		}
		list, err := e.s.ListTokens(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		api.CreatedAt = at(time.Minute)
		if diff := cmp.Diff([]store.Token{api, enrol}, list); diff != "" {
			t.Errorf("ListTokens, newest first (-want +got):\n%s", diff)
		}
		if err := e.s.PutToken(e.ctx, enrol); !errors.Is(err, store.ErrExists) {
			t.Errorf("PutToken twice = %v, want ErrExists", err)
		}
		if _, err := e.s.GetToken(e.ctx, store.HashToken("nope")); !errors.Is(err, store.ErrTokenUnknown) {
			t.Errorf("GetToken unknown = %v, want ErrTokenUnknown", err)
		}
	}},
	{"the secret is never stored", func(t *testing.T, e *env) {
		if err := e.s.PutToken(e.ctx, store.Token{Hash: "plain-secret", Role: store.RoleEnrol, CreatedAt: at(0)}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("PutToken with a secret as hash = %v, want ErrInvalid", err)
		}
		if err := e.s.PutToken(e.ctx, store.Token{Hash: store.HashToken("x"), Role: "root", CreatedAt: at(0)}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("PutToken with role root = %v, want ErrInvalid", err)
		}
	}},
	{"consume", func(t *testing.T, e *env) {
		tests := []struct {
			name  string
			tok   store.Token
			after func(hash string) error // run after PutToken
			at    time.Time
			uses  []error // the outcome of each successive ConsumeToken
		}{
			{name: "single use", tok: token("a"), at: at(time.Hour), uses: []error{nil, store.ErrTokenExhausted, store.ErrTokenExhausted}},
			{name: "three uses", tok: withUses(token("b"), 3), at: at(time.Hour), uses: []error{nil, nil, nil, store.ErrTokenExhausted}},
			{name: "unlimited", tok: withUses(token("c"), store.Unlimited), at: at(time.Hour), uses: []error{nil, nil, nil, nil}},
			{name: "expired", tok: token("d"), at: at(24 * time.Hour), uses: []error{store.ErrTokenExpired}},
			{name: "expired unlimited", tok: withUses(token("e"), store.Unlimited), at: at(25 * time.Hour), uses: []error{store.ErrTokenExpired}},
			{name: "never expires", tok: withExpiry(token("f"), time.Time{}), at: at(1000 * 24 * time.Hour), uses: []error{nil, store.ErrTokenExhausted}},
			{name: "revoked", tok: token("g"), after: func(h string) error { return e.s.RevokeToken(e.ctx, h, at(time.Minute)) },
				at: at(time.Hour), uses: []error{store.ErrTokenRevoked}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if err := e.s.PutToken(e.ctx, tt.tok); err != nil {
					t.Fatal(err)
				}
				if tt.after != nil {
					if err := tt.after(tt.tok.Hash); err != nil {
						t.Fatal(err)
					}
				}
				for i, want := range tt.uses {
					got, err := e.s.ConsumeToken(e.ctx, tt.tok.Hash, tt.at)
					if !errors.Is(err, want) || (want == nil && err != nil) {
						t.Fatalf("use #%d: err = %v, want %v", i+1, err, want)
					}
					if err == nil && got.Hash != tt.tok.Hash {
						t.Errorf("use #%d returned token %s", i+1, got.Hash)
					}
				}
			})
		}
		_, err := e.s.ConsumeToken(e.ctx, store.HashToken("never issued"), at(0))
		if !errors.Is(err, store.ErrTokenUnknown) {
			t.Errorf("ConsumeToken of an unknown token = %v, want ErrTokenUnknown", err)
		}
		for _, other := range []error{store.ErrTokenExpired, store.ErrTokenExhausted, store.ErrTokenRevoked} {
			if errors.Is(err, other) {
				t.Errorf("unknown-token error also matches %v", other)
			}
		}
	}},
	{"consume counts down", func(t *testing.T, e *env) {
		if err := e.s.PutToken(e.ctx, withUses(token("a"), 2)); err != nil {
			t.Fatal(err)
		}
		got, err := e.s.ConsumeToken(e.ctx, store.HashToken("a"), at(time.Hour))
		if err != nil || got.Uses != 1 {
			t.Errorf("first use: uses left %d, err %v; want 1, nil", got.Uses, err)
		}
	}},
	{"revoke token", func(t *testing.T, e *env) {
		if err := e.s.RevokeToken(e.ctx, store.HashToken("ghost"), at(0)); !errors.Is(err, store.ErrTokenUnknown) {
			t.Errorf("RevokeToken unknown = %v, want ErrTokenUnknown", err)
		}
		if err := e.s.PutToken(e.ctx, token("a")); err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			if err := e.s.RevokeToken(e.ctx, store.HashToken("a"), at(time.Duration(i+1)*time.Hour)); err != nil {
				t.Fatalf("RevokeToken #%d: %v", i+1, err)
			}
		}
		got, err := e.s.GetToken(e.ctx, store.HashToken("a"))
		if err != nil || !got.RevokedAt.Equal(at(time.Hour)) {
			t.Errorf("RevokedAt = %v (%v), want the first revocation %v", got.RevokedAt, err, at(time.Hour))
		}
	}},
	{"concurrent consumers: exactly the available uses win", func(t *testing.T, e *env) {
		for _, uses := range []int{1, 3} {
			t.Run(fmt.Sprintf("%d uses", uses), func(t *testing.T) {
				secret := fmt.Sprintf("race-%d", uses)
				if err := e.s.PutToken(e.ctx, withUses(token(secret), uses)); err != nil {
					t.Fatal(err)
				}
				const consumers = 16
				var (
					wg              sync.WaitGroup
					mu              sync.Mutex
					wins, exhausted int
					others          []error
				)
				start := make(chan struct{})
				for range consumers {
					wg.Go(func() {
						<-start
						_, err := e.s.ConsumeToken(e.ctx, store.HashToken(secret), at(time.Hour))
						mu.Lock()
						defer mu.Unlock()
						switch {
						case err == nil:
							wins++
						case errors.Is(err, store.ErrTokenExhausted):
							exhausted++
						default:
							others = append(others, err)
						}
					})
				}
				close(start)
				wg.Wait()
				if wins != uses || exhausted != consumers-uses || len(others) > 0 {
					t.Errorf("%d consumers of a %d-use token: %d won, %d exhausted, other errors %v; want %d won",
						consumers, uses, wins, exhausted, others, uses)
				}
			})
		}
	}},
}

func withUses(t store.Token, n int) store.Token { t.Uses = n; return t }

func withExpiry(t store.Token, x time.Time) store.Token { t.ExpiresAt = x; return t }
