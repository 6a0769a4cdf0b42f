package dpkg

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/ceplus/ceplus/shared/pluginapi"
)

// BenchmarkCollectLive inventories this machine: the dpkg status and every configured apt list
// (bookworm's main list is about 90 MB once decompressed). Target: < 1 s per op.
func BenchmarkCollectLive(b *testing.B) {
	if _, err := os.Stat("/var/lib/dpkg/status"); err != nil {
		b.Skipf("not a dpkg system: %v", err)
	}
	src := New()
	b.ReportAllocs()
	var pkgs, ups int
	for b.Loop() {
		res, err := src.Collect(context.Background(), pluginapi.Request{Root: "/"})
		if err != nil {
			b.Fatal(err)
		}
		pkgs, ups = len(res.Packages), len(res.PendingUpdates)
	}
	b.ReportMetric(float64(pkgs), "packages")
	b.ReportMetric(float64(ups), "pending")
}

// BenchmarkCollectSynthetic inventories a generated root of 5,000 installed packages with one
// gzip Packages list of 20,000 stanzas offering newer versions for every third installed
// package. Target: < 2 s per op.
func BenchmarkCollectSynthetic(b *testing.B) {
	root := b.TempDir()
	if err := writeSyntheticRoot(root, 5000, 20000); err != nil {
		b.Fatal(err)
	}
	src := New()
	b.ReportAllocs()
	b.ResetTimer()
	var pkgs, ups int
	for b.Loop() {
		res, err := src.Collect(context.Background(), pluginapi.Request{Root: root})
		if err != nil {
			b.Fatal(err)
		}
		pkgs, ups = len(res.Packages), len(res.PendingUpdates)
	}
	if pkgs != 5000 || ups != 5000/3+1 {
		b.Fatalf("synthetic root: %d packages, %d pending; want 5000 and %d", pkgs, ups, 5000/3+1)
	}
	b.ReportMetric(float64(pkgs), "packages")
	b.ReportMetric(float64(ups), "pending")
}

// writeSyntheticRoot writes a Debian 12 root with n installed packages and a gzip Packages
// list of m stanzas (the installed packages, newer versions for every third, and packages
// that are not installed), with a description of realistic size in each stanza.
func writeSyntheticRoot(root string, n, m int) error {
	files := map[string]string{
		"etc/os-release":       "ID=debian\nVERSION_ID=\"12\"\nNAME=\"Debian GNU/Linux\"\n",
		"etc/hostname":         "synthetic\n",
		"etc/apt/sources.list": "deb http://deb.example.org/debian bookworm main\n",
		"var/lib/apt/lists/deb.example.org_debian_dists_bookworm_InRelease": "Origin: Debian\nLabel: Debian\nSuite: stable\nCodename: bookworm\nVersion: 12.8\nDate: Sat, 09 Nov 2024 10:00:00 UTC\n",
	}
	for name, body := range files {
		if err := writeFile(filepath.Join(root, name), func(w *bufio.Writer) error { _, err := w.WriteString(body); return err }); err != nil {
			return err
		}
	}
	const desc = "Description: synthetic package for the benchmark\n a long description line that stands in for the real ones\n .\n and one more line of text, as real lists have\n"
	err := writeFile(filepath.Join(root, statusFile), func(w *bufio.Writer) error {
		for i := range n {
			name := fmt.Sprintf("pkg%05d", i)
			if i == 0 {
				name = "dpkg"
			}
			fmt.Fprintf(w, "Package: %s\nStatus: install ok installed\nPriority: optional\nInstalled-Size: 100\nArchitecture: amd64\nSource: src%04d (1:2.%d-1)\nVersion: 1:2.%d-1+b1\nDepends: libc6 (>= 2.34)\n%s\n",
				name, i/3, i, i, desc)
		}
		return nil
	})
	if err != nil {
		return err
	}
	list := filepath.Join(root, "var/lib/apt/lists/deb.example.org_debian_dists_bookworm_main_binary-amd64_Packages.gz")
	return writeFile(list, func(w *bufio.Writer) error {
		zw := gzip.NewWriter(w)
		defer zw.Close()
		zb := bufio.NewWriter(zw)
		defer zb.Flush()
		for i := range m {
			name := fmt.Sprintf("pkg%05d", i)
			if i == 0 {
				name = "dpkg"
			}
			ver := fmt.Sprintf("1:2.%d-1+b1", i)
			if i%3 == 0 {
				ver = fmt.Sprintf("1:2.%d-1+deb12u1", i)
			}
			fmt.Fprintf(zb, "Package: %s\nSource: src%04d\nVersion: %s\nInstalled-Size: 100\nMaintainer: Someone <someone@example.org>\nArchitecture: amd64\nDepends: libc6 (>= 2.34)\n%sFilename: pool/main/p/%s/%s_%s_amd64.deb\nSize: 1000\nSHA256: 0000000000000000000000000000000000000000000000000000000000000000\n\n",
				name, i/3, ver, desc, name, name, ver)
		}
		return nil
	})
}

func writeFile(path string, fill func(*bufio.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := fill(w); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
