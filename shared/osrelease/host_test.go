package osrelease

import (
	"testing"
	"testing/fstest"
)

func TestIdentity(t *testing.T) {
	tests := []struct {
		name          string
		fs            fstest.MapFS
		host, machine string
	}{
		{"both", fstest.MapFS{
			"etc/hostname":   {Data: []byte("# set by installer\nweb01\n")},
			"etc/machine-id": {Data: []byte("0f3c5b9e2a6d4c1b8e7f9a0b1c2d3e4f\n")},
		}, "web01", "0f3c5b9e2a6d4c1b8e7f9a0b1c2d3e4f"},
		{"dbus fallback", fstest.MapFS{
			"etc/machine-id":          {Data: []byte("")},
			"var/lib/dbus/machine-id": {Data: []byte("abc\n")},
		}, "", "abc"},
		{"none", fstest.MapFS{}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, m, err := Identity(tt.fs)
			if err != nil {
				t.Fatal(err)
			}
			if h != tt.host || m != tt.machine {
				t.Errorf("Identity = %q, %q; want %q, %q", h, m, tt.host, tt.machine)
			}
		})
	}
}
