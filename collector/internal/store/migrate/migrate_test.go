package migrate

import (
	"errors"
	"testing"
	"testing/fstest"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/google/go-cmp/cmp"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		files   fstest.MapFS
		want    []int
		wantErr bool
	}{
		{"ordered", fstest.MapFS{"m/0002_b.sql": {Data: []byte("B")}, "m/0001_a.sql": {Data: []byte("A")}}, []int{1, 2}, false},
		{"gap", fstest.MapFS{"m/0001_a.sql": {}, "m/0003_c.sql": {}}, nil, true},
		{"repeat", fstest.MapFS{"m/0001_a.sql": {}, "m/0001_b.sql": {}}, nil, true},
		{"bad name", fstest.MapFS{"m/1_a.sql": {}}, nil, true},
		{"empty", fstest.MapFS{"m/.keep": {}}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := Load(tt.files, "m")
			if (err != nil) != tt.wantErr {
				t.Fatalf("Load err = %v, wantErr %v", err, tt.wantErr)
			}
			var got []int
			for _, m := range ms {
				got = append(got, m.Version)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("versions (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPending(t *testing.T) {
	all := []Migration{{Version: 1}, {Version: 2}, {Version: 3}}
	tests := []struct {
		name    string
		applied []int
		want    []int
		tooNew  bool
	}{
		{"fresh", nil, []int{1, 2, 3}, false},
		{"partial", []int{1}, []int{2, 3}, false},
		{"current", []int{1, 2, 3}, nil, false},
		{"newer", []int{1, 2, 3, 4}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := Pending("test.db", all, tt.applied)
			if got := errors.Is(err, store.ErrSchemaTooNew); got != tt.tooNew {
				t.Fatalf("Pending err = %v, want ErrSchemaTooNew %v", err, tt.tooNew)
			}
			var got []int
			for _, m := range ms {
				got = append(got, m.Version)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("pending (-want +got):\n%s", diff)
			}
		})
	}
}
