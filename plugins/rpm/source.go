package rpm

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/osrelease"
	"github.com/ceplus/ceplus/shared/pluginapi"
	"github.com/ceplus/ceplus/shared/version"
)

// Name is the source name.
const Name = "rpm"

type source struct {
	now func() time.Time
}

// New returns the rpm inventory source.
func New() pluginapi.Source { return &source{now: time.Now} }

// Info implements pluginapi.Source.
func (s *source) Info() pluginapi.Info {
	return pluginapi.Info{
		Name:    Name,
		Version: version.Version,
		Kind:    pluginapi.KindPackages,
		OS:      []string{"linux"},
		Description: "Installed packages from the RPM database (sqlite, ndb or Berkeley DB) with epochs " +
			"and source RPMs; pending updates and security advisories from the dnf, yum or zypper metadata cache, offline.",
	}
}

// Collect implements pluginapi.Source. A root without an rpm database returns an error
// wrapping pluginapi.ErrNotApplicable; a database that cannot be read, or a cancelled ctx,
// returns an error. Packages or repositories that cannot be read, and a missing os-release
// (the packages then have no ecosystem), end the run Partial with the reasons in the status.
func (s *source) Collect(ctx context.Context, req pluginapi.Request) (inventory.Result, error) {
	start := s.now()
	root := req.Root
	if root == "" {
		root = "/"
	}
	status := func(st inventory.Status, errs []string) inventory.SourceStatus {
		return inventory.SourceStatus{Name: Name, Version: version.Version, Status: st, Errors: errs, DurationMS: s.now().Sub(start).Milliseconds()}
	}
	db, err := findDB(root)
	if errors.Is(err, pluginapi.ErrNotApplicable) {
		return inventory.Result{Status: status(inventory.NotApplicable, nil)}, fmt.Errorf("rpm source: %w", err)
	}
	if err != nil {
		return inventory.Result{Status: status(inventory.Failed, []string{err.Error()})}, fmt.Errorf("rpm source: %w", err)
	}
	fsys := os.DirFS(root)
	var errs []string
	note := func(err error) { errs = append(errs, err.Error()) }

	var res inventory.Result
	kv, err := osrelease.Read(fsys)
	if err != nil {
		note(fmt.Errorf("%w: packages have no OSV ecosystem", err))
	}
	res.Device = osrelease.Device(kv)
	if res.Device.Hostname, res.Device.MachineID, err = osrelease.Identity(fsys); err != nil {
		note(err)
	}

	pkgs, installed, perr, err := readPackages(ctx, db, res.Device.Ecosystem)
	if err != nil {
		return inventory.Result{Status: status(inventory.Failed, append(errs, err.Error()))}, fmt.Errorf("rpm source: %w", err)
	}
	for _, e := range perr {
		note(e)
	}
	sort.Slice(pkgs, func(i, j int) bool {
		a, b := pkgs[i], pkgs[j]
		return a.Name < b.Name || (a.Name == b.Name && (a.Arch < b.Arch || (a.Arch == b.Arch && a.Version < b.Version)))
	})
	res.Packages = pkgs
	res.Device.Arch = primaryArch(pkgs)

	metas, rerrs := loadRepos(ctx, fsys)
	for _, e := range rerrs {
		note(e)
	}
	res.PendingUpdates = pendingUpdates(installed, metas)

	if err := ctx.Err(); err != nil {
		return inventory.Result{Status: status(inventory.Failed, append(errs, err.Error()))}, fmt.Errorf("rpm source: %w", err)
	}
	st := inventory.Succeeded
	if len(errs) > 0 {
		st = inventory.Partial
	}
	res.Status = status(st, errs)
	return res, nil
}

// readPackages reads the installed packages of db. Headers that cannot be decoded are
// returned as per-package errors; err is about the database as a whole.
func readPackages(ctx context.Context, db dbFile, ecosystem string) (pkgs []inventory.Package, installed []installedBuild, perr []error, err error) {
	err = readDB(ctx, db, func(key string, blob []byte) {
		h, err := parseHeader(blob)
		if err != nil {
			perr = append(perr, fmt.Errorf("rpm database %s, %s: %w", db.Path, key, err))
			return
		}
		if h.Name == "gpg-pubkey" {
			// An imported signing key, not software (rpm --import).
			return
		}
		p := inventory.Package{
			Name:      h.Name,
			Version:   formatEVR(h.Epoch, h.Version, h.Release),
			Ecosystem: ecosystem,
			Arch:      h.Arch,
		}
		if h.SourceRPM != "" {
			name, vr, err := parseSourceRPM(h.SourceRPM)
			if err != nil {
				perr = append(perr, fmt.Errorf("rpm database %s, package %s: %w", db.Path, h.Name, err))
			} else {
				// The source file name cannot carry the epoch; the source package has the
				// binary's (one spec file, one Epoch), and dropping it would misorder the
				// source version against advisories that state it.
				p.SourceName, p.SourceVersion = name, epochPrefix(h.Epoch)+vr
			}
		}
		pkgs = append(pkgs, p)
		installed = append(installed, installedBuild{Name: p.Name, Arch: p.Arch, EVR: p.Version})
	})
	return pkgs, installed, perr, err
}

func epochPrefix(epoch *int32) string {
	if epoch == nil {
		return ""
	}
	return fmt.Sprintf("%d:", *epoch)
}

// primaryArch returns the most common architecture among the packages other than noarch:
// the system's own.
func primaryArch(pkgs []inventory.Package) string {
	n := map[string]int{}
	best := ""
	for _, p := range pkgs {
		if p.Arch == "noarch" || p.Arch == "" || p.Arch == "(none)" {
			continue
		}
		n[p.Arch]++
		if best == "" || n[p.Arch] > n[best] || (n[p.Arch] == n[best] && p.Arch < best) {
			best = p.Arch
		}
	}
	return best
}
