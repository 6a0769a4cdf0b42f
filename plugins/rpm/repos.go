package rpm

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
)

// cachedRepo is one repository whose metadata a package manager keeps under the root.
type cachedRepo struct {
	// ID is the repository id (dnf, yum) or alias (zypper).
	ID string
	// Dir is the cache directory, relative to the root.
	Dir string
	// Manager is "dnf" (also yum) or "zypper": it says which configuration enables the repo.
	Manager string
}

// cacheLayouts are the metadata caches of dnf 4, dnf 5, yum and zypper, as fs.Glob patterns
// for the directory that holds repomd.xml (or repodata/repomd.xml).
var cacheLayouts = []struct {
	glob, manager string
	hashed        bool // the directory name is "<repoid>-<16 hex digits>"
}{
	{"var/cache/dnf/*", "dnf", true},
	{"var/cache/libdnf5/*", "dnf", true},
	{"var/cache/yum/*/*/*", "dnf", false},
	{"var/cache/zypp/raw/*", "zypper", false},
}

// repoConfigDirs are where each package manager keeps its .repo files.
var repoConfigDirs = map[string][]string{
	"dnf":    {"etc/yum.repos.d", "etc/distro.repos.d", "usr/share/dnf5/repos.d"},
	"zypper": {"etc/zypp/repos.d"},
}

var dnfCacheSuffix = regexp.MustCompile(`-[0-9a-f]{16}$`)

// findCachedRepos lists the repository caches under fsys that the configuration enables. A
// cached repository whose .repo section says enabled=0 is left out; so is one with no
// section at all when the manager has configuration (dnf keeps the caches of removed
// repositories). With no configuration at all, every cache counts.
func findCachedRepos(fsys fs.FS) ([]cachedRepo, error) {
	configs := map[string]map[string]bool{}
	for mgr, dirs := range repoConfigDirs {
		enabled, err := readRepoConfigs(fsys, dirs)
		if err != nil {
			return nil, err
		}
		configs[mgr] = enabled
	}
	var out []cachedRepo
	seen := map[string]bool{}
	for _, l := range cacheLayouts {
		dirs, err := fs.Glob(fsys, l.glob)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", l.glob, err)
		}
		for _, dir := range dirs {
			if fi, err := fs.Stat(fsys, dir); err != nil || !fi.IsDir() {
				continue
			}
			id := path.Base(dir)
			if l.hashed {
				if !dnfCacheSuffix.MatchString(id) {
					continue // dnf's own files: packages/, *.solv, expired_repos.json
				}
				id = dnfCacheSuffix.ReplaceAllString(id, "")
			}
			if cfg := configs[l.manager]; len(cfg) > 0 && !cfg[id] {
				continue
			}
			key := l.manager + "\x00" + id
			if seen[key] {
				// dnf 4 and dnf 5 caches of the same repository: the first layout wins.
				continue
			}
			seen[key] = true
			out = append(out, cachedRepo{ID: id, Dir: dir, Manager: l.manager})
		}
	}
	return out, nil
}

// readRepoConfigs returns, for every [section] of the *.repo files in dirs, whether it is
// enabled (the default when the enabled key is absent).
func readRepoConfigs(fsys fs.FS, dirs []string) (map[string]bool, error) {
	enabled := map[string]bool{}
	for _, dir := range dirs {
		files, err := fs.Glob(fsys, dir+"/*.repo")
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", dir, err)
		}
		sort.Strings(files)
		for _, name := range files {
			f, err := fsys.Open(name)
			if errors.Is(err, fs.ErrNotExist) {
				continue // a dangling symlink
			}
			if err != nil {
				return nil, fmt.Errorf("open repository configuration %s: %w", name, err)
			}
			err = parseRepoConfig(f, enabled)
			f.Close()
			if err != nil {
				return nil, fmt.Errorf("read repository configuration %s: %w", name, err)
			}
		}
	}
	return enabled, nil
}

// parseRepoConfig reads one ini-style .repo file into enabled.
func parseRepoConfig(r io.Reader, enabled map[string]bool) error {
	sc := bufio.NewScanner(r)
	section := ""
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[' && strings.HasSuffix(line, "]"):
			section = strings.TrimSpace(line[1 : len(line)-1])
			enabled[section] = true
		case section != "":
			k, v, ok := strings.Cut(line, "=")
			if ok && strings.TrimSpace(k) == "enabled" {
				switch strings.ToLower(strings.TrimSpace(v)) {
				case "0", "false", "no", "off":
					enabled[section] = false
				}
			}
		}
	}
	return sc.Err()
}
