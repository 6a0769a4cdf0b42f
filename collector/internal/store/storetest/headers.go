package storetest

import (
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/google/go-cmp/cmp"
)

var headerTests = []test{
	{"create, get and list", func(t *testing.T, e *env) {
		hs := []store.Header{
			{ID: "asm-2", Kind: store.KindAssessment, Title: "CE+ 2026", Organisation: "Acme Ltd", CreatedAt: at(time.Hour),
				Settings: json.RawMessage(`{"time_zone":"Europe/London","policy":{"test_all_types":["server"]}}`)},
			{ID: "asm-1", Kind: store.KindAssessment, Title: "CE+ 2025", Organisation: "Acme Ltd", CreatedAt: at(0)},
			{ID: "reg-1", Kind: store.KindRegisterRecord, Title: "CVE in firmware", Organisation: "Vendor", CreatedAt: at(2 * time.Hour)},
		}
		for _, h := range hs {
			if err := e.s.CreateHeader(e.ctx, h); err != nil {
				t.Fatalf("CreateHeader %s: %v", h.ID, err)
			}
		}
		got, err := e.s.GetHeader(e.ctx, "asm-2")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(hs[0], got); diff != "" {
			t.Errorf("GetHeader (-want +got):\n%s", diff)
		}
		tests := []struct {
			name, kind string
			want       []string
		}{
			{"assessments oldest first", store.KindAssessment, []string{"asm-1", "asm-2"}},
			{"register records", store.KindRegisterRecord, []string{"reg-1"}},
			{"every kind", "", []string{"asm-1", "asm-2", "reg-1"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				list, err := e.s.ListHeaders(e.ctx, tt.kind)
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				for _, h := range list {
					ids = append(ids, h.ID)
				}
				if diff := cmp.Diff(tt.want, ids); diff != "" {
					t.Errorf("ListHeaders(%q) (-want +got):\n%s", tt.kind, diff)
				}
			})
		}
		if err := e.s.CreateHeader(e.ctx, hs[1]); !errors.Is(err, store.ErrExists) {
			t.Errorf("CreateHeader twice = %v, want ErrExists", err)
		}
		if _, err := e.s.GetHeader(e.ctx, "asm-9"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetHeader unknown = %v, want ErrNotFound", err)
		}
	}},
	{"invalid headers refused", func(t *testing.T, e *env) {
		tests := []struct {
			name string
			h    store.Header
		}{
			{"no id", store.Header{Kind: store.KindAssessment, CreatedAt: at(0)}},
			{"unknown kind", store.Header{ID: "x", Kind: "audit", CreatedAt: at(0)}},
			{"no time", store.Header{ID: "x", Kind: store.KindAssessment}},
			{"settings not JSON", store.Header{ID: "x", Kind: store.KindAssessment, CreatedAt: at(0), Settings: json.RawMessage(`{`)}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if err := e.s.CreateHeader(e.ctx, tt.h); !errors.Is(err, store.ErrInvalid) {
					t.Errorf("CreateHeader = %v, want ErrInvalid", err)
				}
			})
		}
	}},
}

var metaTests = []test{
	{"get, set and init", func(t *testing.T, e *env) {
		if _, err := e.s.GetMeta(e.ctx, "ca.sha256"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetMeta unset = %v, want ErrNotFound", err)
		}
		for _, v := range []string{"first", "second"} {
			if err := e.s.SetMeta(e.ctx, "ca.sha256", []byte(v)); err != nil {
				t.Fatal(err)
			}
		}
		if v, err := e.s.GetMeta(e.ctx, "ca.sha256"); err != nil || string(v) != "second" {
			t.Errorf("GetMeta = %q, %v; want the last value set", v, err)
		}
		if v, err := e.s.InitMeta(e.ctx, "ca.sha256", []byte("third")); err != nil || string(v) != "second" {
			t.Errorf("InitMeta on a set key = %q, %v; want the stored value kept", v, err)
		}
		if err := e.s.SetMeta(e.ctx, "empty", nil); err != nil {
			t.Fatal(err)
		}
		if v, err := e.s.GetMeta(e.ctx, "empty"); err != nil || len(v) != 0 {
			t.Errorf("GetMeta empty = %q, %v; want an empty value, no error", v, err)
		}
	}},
	{"concurrent init agrees on one value", func(t *testing.T, e *env) {
		var wg sync.WaitGroup
		got := make([]string, 8)
		for i := range got {
			wg.Go(func() {
				v, err := e.s.InitMeta(e.ctx, "ca.cert", []byte{byte('a' + i)})
				if err != nil {
					t.Errorf("InitMeta: %v", err)
				}
				got[i] = string(v)
			})
		}
		wg.Wait()
		for _, v := range got {
			if v != got[0] || v == "" {
				t.Fatalf("InitMeta results %q: every caller must see the one stored value", got)
			}
		}
	}},
}
