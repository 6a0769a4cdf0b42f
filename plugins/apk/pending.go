package apk

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"

	"github.com/ceplus/ceplus/shared/inventory"
)

// cacheDirs are where apk keeps the repository indexes: var/cache/apk, and etc/apk/cache
// when the package cache is enabled (a link to var/cache/apk, or elsewhere).
var cacheDirs = []string{"var/cache/apk", "etc/apk/cache"}

// cachedIndex is one cached APKINDEX and the repository it belongs to.
type cachedIndex struct {
	repo  repository
	file  string
	index index
}

// loadIndexes reads the cached indexes of the configured repositories. An index that
// cannot be read is reported in errs; a configured repository with no cached index is
// reported too, as its updates are unknown. Cached indexes of repositories no longer
// configured are ignored, as apk ignores them.
func loadIndexes(ctx context.Context, fsys fs.FS) (out []cachedIndex, errs []error) {
	repos, err := readRepositories(fsys)
	if err != nil {
		return nil, []error{err}
	}
	for _, repo := range repos {
		if err := ctx.Err(); err != nil {
			return out, append(errs, err)
		}
		name := cacheName(repo.URL)
		file := ""
		for _, dir := range cacheDirs {
			p := path.Join(dir, name)
			if fi, err := fs.Stat(fsys, p); err == nil && fi.Mode().IsRegular() {
				file = p
				break
			}
		}
		if file == "" {
			errs = append(errs, fmt.Errorf("repository %s: no cached index %s in %v (run apk update)", repo.URL, name, cacheDirs))
			continue
		}
		idx, err := readIndex(fsys, file)
		if err != nil {
			errs = append(errs, fmt.Errorf("repository %s: %w", repo.URL, err))
			continue
		}
		out = append(out, cachedIndex{repo: repo, file: file, index: idx})
	}
	return out, errs
}

func readRepositories(fsys fs.FS) ([]repository, error) {
	const name = "etc/apk/repositories"
	f, err := fsys.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	repos, err := parseRepositories(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return repos, nil
}

func readIndex(fsys fs.FS, name string) (index, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return index{}, fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	idx, err := parseIndexArchive(f)
	if err != nil {
		return idx, fmt.Errorf("read %s: %w", name, err)
	}
	return idx, nil
}

// pendingUpdates compares each installed package with the highest version of the same name
// (and architecture, or noarch) across the cached indexes, as apk upgrade would: tagged
// repositories only count for packages pinned to their tag in the world file, and a package
// the world pins to an exact version is not upgraded. Versions that apk's ordering cannot
// parse are reported in errs.
func pendingUpdates(installed []record, world map[string]worldEntry, indexes []cachedIndex) (out []inventory.PendingUpdate, errs []error) {
	type cand struct {
		rec  record
		repo string
	}
	inst := map[string]record{}
	for _, r := range installed {
		inst[r.Name] = r
	}
	best := map[string]cand{}
	bad := map[string]bool{}
	for _, ci := range indexes {
		for _, a := range ci.index.Packages {
			cur, ok := inst[a.Name]
			if !ok || (a.Arch != cur.Arch && a.Arch != "noarch" && cur.Arch != "noarch") {
				continue
			}
			w := world[a.Name]
			if ci.repo.Tag != "" && ci.repo.Tag != w.Tag || w.Pinned {
				continue
			}
			c, err := compareVersion(a.Version, cur.Version)
			if err != nil {
				if !bad[a.Name+" "+a.Version] {
					bad[a.Name+" "+a.Version] = true
					errs = append(errs, fmt.Errorf("package %s in %s: %w", a.Name, ci.file, err))
				}
				continue
			}
			if c <= 0 {
				continue
			}
			if b, ok := best[a.Name]; ok {
				if c, err := compareVersion(a.Version, b.rec.Version); err != nil || c <= 0 {
					continue
				}
			}
			best[a.Name] = cand{a, ci.repo.URL}
		}
	}
	for name, c := range best {
		r := inst[name]
		out = append(out, inventory.PendingUpdate{
			Name: name, Arch: r.Arch, Installed: r.Version, Candidate: c.rec.Version, Origin: c.repo,
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, errs
}
