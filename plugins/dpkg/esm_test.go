package dpkg

import (
	"testing"
	"testing/fstest"
)

func TestESMEnrolled(t *testing.T) {
	esmList := &fstest.MapFile{Data: []byte("deb https://esm.ubuntu.com/infra/ubuntu jammy-infra-security main\n")}
	auth := &fstest.MapFile{Data: []byte("machine esm.ubuntu.com/infra/ubuntu/ login bearer password secret\n")}
	plain := &fstest.MapFile{Data: []byte("deb http://archive.ubuntu.com/ubuntu jammy main\n")}
	tests := []struct {
		name string
		fsys fstest.MapFS
		want bool
	}{
		{"attached: source and credentials", fstest.MapFS{
			"etc/apt/sources.list":                         plain,
			"etc/apt/sources.list.d/ubuntu-esm-infra.list": esmList,
			"etc/apt/auth.conf.d/90ubuntu-advantage":       auth,
		}, true},
		{"source without credentials", fstest.MapFS{
			"etc/apt/sources.list":                         plain,
			"etc/apt/sources.list.d/ubuntu-esm-infra.list": esmList,
		}, false},
		{"credentials without source", fstest.MapFS{
			"etc/apt/sources.list":                   plain,
			"etc/apt/auth.conf.d/90ubuntu-advantage": auth,
		}, false},
		{"no ESM at all", fstest.MapFS{"etc/apt/sources.list": plain}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := readSources(tt.fsys)
			if err != nil {
				t.Fatal(err)
			}
			if got := esmEnrolled(tt.fsys, src); got != tt.want {
				t.Errorf("esmEnrolled = %v, want %v", got, tt.want)
			}
		})
	}
}
