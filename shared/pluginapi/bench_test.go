package pluginapi

import (
	"path/filepath"
	"runtime"
	"testing"
)

// BenchmarkStartHandshake measures exec, checksum, AutoMTLS handshake and stop of one plugin.
func BenchmarkStartHandshake(b *testing.B) {
	path := filepath.Join(testPlugins, FileName("test-ok", runtime.GOOS))
	sum, err := HashFile(path)
	if err != nil {
		b.Fatal(err)
	}
	sockets := b.TempDir()
	for b.Loop() {
		c, err := Start(b.Context(), StartConfig{Path: path, SHA256: Entry{SHA256: sum}.Checksum(), SocketDir: sockets})
		if err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
}

// BenchmarkCollect10k measures one Collect of 10,000 packages from a running plugin.
func BenchmarkCollect10k(b *testing.B) {
	path := filepath.Join(testPlugins, FileName("test-ok", runtime.GOOS))
	sum, err := HashFile(path)
	if err != nil {
		b.Fatal(err)
	}
	c, err := Start(b.Context(), StartConfig{Path: path, SHA256: Entry{SHA256: sum}.Checksum(), SocketDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	for b.Loop() {
		res, err := c.Collect(b.Context(), Request{Root: "n=10000"})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Packages) != 10000 {
			b.Fatalf("%d packages", len(res.Packages))
		}
	}
}
