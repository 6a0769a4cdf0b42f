package rpm

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"

	"github.com/ceplus/ceplus/shared/inventory"
)

// repoMeta is the cached metadata of one enabled repository.
type repoMeta struct {
	Repo       cachedRepo
	Packages   []available
	Advisories []advisory
}

// loadRepos reads the package lists and advisories of every enabled cached repository. A
// repository that cannot be read is reported in errs and left out; the others still count.
func loadRepos(ctx context.Context, fsys fs.FS) (metas []repoMeta, errs []error) {
	repos, err := findCachedRepos(fsys)
	if err != nil {
		return nil, []error{fmt.Errorf("package manager cache: %w", err)}
	}
	for _, repo := range repos {
		m, err := loadRepo(ctx, fsys, repo)
		if err != nil {
			errs = append(errs, fmt.Errorf("repository %s (%s): %w", repo.ID, repo.Dir, err))
			continue
		}
		metas = append(metas, m)
	}
	sort.SliceStable(metas, func(i, j int) bool { return metas[i].Repo.ID < metas[j].Repo.ID })
	return metas, errs
}

func loadRepo(ctx context.Context, fsys fs.FS, repo cachedRepo) (repoMeta, error) {
	m := repoMeta{Repo: repo}
	files, err := repoFiles(fsys, repo, "primary", "primary_db", "updateinfo")
	if err != nil {
		return m, err
	}
	switch {
	case files["primary"] != "":
		r, err := openMetadata(fsys, files["primary"])
		if err != nil {
			return m, err
		}
		m.Packages, err = parsePrimary(ctx, r)
		r.Close()
		if err != nil {
			return m, fmt.Errorf("parse %s: %w", files["primary"], err)
		}
	case files["primary_db"] != "":
		if m.Packages, err = readPrimaryDB(ctx, fsys, files["primary_db"]); err != nil {
			return m, err
		}
	default:
		return m, fmt.Errorf("no cached primary metadata in %s (run dnf makecache, yum makecache or zypper refresh)", path.Clean(repo.Dir))
	}
	if name := files["updateinfo"]; name != "" {
		r, err := openMetadata(fsys, name)
		if err != nil {
			return m, err
		}
		m.Advisories, err = parseUpdateInfo(ctx, r)
		r.Close()
		if err != nil {
			return m, fmt.Errorf("parse %s: %w", name, err)
		}
	}
	return m, nil
}

// installedBuild is what the update computation needs of an installed package.
type installedBuild struct {
	Name, Arch string
	// EVR is the version as the inventory reports it.
	EVR string
}

type candidate struct {
	build available
	repo  string
}

// pendingUpdates compares each installed package (the newest installed build of a name and
// arch, so that several installed kernels count once) with the newest build of the same
// name and arch in the repositories, as dnf upgrade would; a noarch build may replace an
// arch-specific one and the reverse when only one architecture of the name is installed.
// Advisories whose fixed build lies after the installed one and up to the candidate classify
// the update: any security advisory makes it a security update.
func pendingUpdates(installed []installedBuild, metas []repoMeta) []inventory.PendingUpdate {
	newest := map[[2]string]installedBuild{}
	archs := map[string][]string{}
	for _, b := range installed {
		k := [2]string{b.Name, b.Arch}
		cur, ok := newest[k]
		if !ok {
			archs[b.Name] = append(archs[b.Name], b.Arch)
		}
		if !ok || compareEVR(b.EVR, cur.EVR) > 0 {
			newest[k] = b
		}
	}
	// match returns the installed key an available build would upgrade.
	match := func(a available) ([2]string, bool) {
		k := [2]string{a.Name, a.Arch}
		if _, ok := newest[k]; ok {
			return k, true
		}
		if as := archs[a.Name]; len(as) == 1 && (a.Arch == "noarch" || as[0] == "noarch") {
			return [2]string{a.Name, as[0]}, true
		}
		return k, false
	}
	best := map[[2]string]candidate{}
	for _, m := range metas {
		for _, a := range m.Packages {
			k, ok := match(a)
			if !ok || compareEVR(a.EVR(), newest[k].EVR) <= 0 {
				continue
			}
			if cur, ok := best[k]; !ok || compareEVR(a.EVR(), cur.build.EVR()) > 0 {
				best[k] = candidate{a, m.Repo.ID}
			}
		}
	}
	var out []inventory.PendingUpdate
	for k, c := range best {
		inst := newest[k]
		u := inventory.PendingUpdate{
			Name:      inst.Name,
			Arch:      inst.Arch,
			Installed: inst.EVR,
			Candidate: c.build.EVR(),
			Origin:    c.repo,
		}
		classify(&u, k, match, metas)
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Arch < out[j].Arch
	})
	return out
}

// classify fills the advisory facts of u from the advisories that fix a build after the
// installed one and up to the candidate.
func classify(u *inventory.PendingUpdate, k [2]string, match func(available) ([2]string, bool), metas []repoMeta) {
	var latest *advisory
	var latestEVR string
	ids := map[string]bool{}
	var cves []string
	for _, m := range metas {
		for i := range m.Advisories {
			a := &m.Advisories[i]
			for _, p := range a.Packages {
				if pk, ok := match(p); !ok || pk != k {
					continue
				}
				evr := p.EVR()
				if compareEVR(evr, u.Installed) <= 0 || compareEVR(evr, u.Candidate) > 0 {
					continue
				}
				if !ids[a.ID] {
					ids[a.ID] = true
					cves = append(cves, a.CVEs...)
				}
				if a.Type == "security" {
					u.Security = true
					if severityRank(a.Severity) > severityRank(u.Severity) {
						u.Severity = a.Severity
					}
				}
				if latest == nil || compareEVR(evr, latestEVR) > 0 || (compareEVR(evr, latestEVR) == 0 && a.Issued > latest.Issued) {
					latest, latestEVR = a, evr
				}
				break
			}
		}
	}
	if latest != nil {
		u.Released = latest.Issued
		u.Title = latest.Title
	}
	u.IDs = sortedUnique(ids, cves)
}

func sortedUnique(ids map[string]bool, cves []string) []string {
	var out []string
	for id := range ids {
		out = append(out, id)
	}
	sort.Strings(out)
	seen := map[string]bool{}
	var cs []string
	for _, c := range cves {
		if !seen[c] && !ids[c] {
			seen[c] = true
			cs = append(cs, c)
		}
	}
	sort.Strings(cs)
	return append(out, cs...)
}
