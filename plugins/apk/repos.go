package apk

import (
	"bufio"
	"crypto/sha1"
	"encoding/hex"
	"io"
	"strings"
)

// repository is one line of etc/apk/repositories.
type repository struct {
	URL string
	// Tag is the pinning tag of a "@tag URL" line: only packages pinned to it in
	// etc/apk/world may come from this repository.
	Tag string
}

// parseRepositories reads etc/apk/repositories: one repository per line, "#" comments,
// optionally preceded by "@tag".
func parseRepositories(r io.Reader) ([]repository, error) {
	var out []repository
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		var repo repository
		if strings.HasPrefix(f[0], "@") && len(f) > 1 {
			repo.Tag, f = f[0][1:], f[1:]
		}
		repo.URL = f[0]
		out = append(out, repo)
	}
	return out, sc.Err()
}

// cacheName is the file name under which apk caches a repository's index: "APKINDEX.", the
// first four bytes of the SHA-1 of the repository URL in hex, ".tar.gz" (apk-tools
// src/database.c, apk_repo_format_cache_index).
func cacheName(url string) string {
	sum := sha1.Sum([]byte(url))
	return "APKINDEX." + hex.EncodeToString(sum[:4]) + ".tar.gz"
}

// worldEntry is one line of etc/apk/world as far as upgrades care: its pinning tag and an
// exact version pin ("name=1.2-r0").
type worldEntry struct {
	Tag     string
	Pinned  bool
	Version string
}

// parseWorld reads etc/apk/world: whitespace-separated dependencies such as "busybox",
// "kubectx@testing", "tzdata=2024a-r1", "musl>=1.2".
func parseWorld(r io.Reader) (map[string]worldEntry, error) {
	out := map[string]worldEntry{}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	for _, dep := range strings.Fields(string(b)) {
		dep = strings.TrimPrefix(dep, "!")
		var e worldEntry
		if i := strings.IndexByte(dep, '@'); i >= 0 {
			dep, e.Tag = dep[:i], dep[i+1:]
		}
		name := dep
		if i := strings.IndexAny(dep, "<>=~"); i >= 0 {
			name = dep[:i]
			op := strings.TrimLeft(dep[i:], "<>=~")
			if dep[i:len(dep)-len(op)] == "=" {
				e.Pinned, e.Version = true, op
			}
		}
		out[name] = e
	}
	return out, nil
}
