package apk

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/osrelease"
	"github.com/ceplus/ceplus/shared/pluginapi"
	"github.com/ceplus/ceplus/shared/version"
)

// Name is the source name.
const Name = "apk"

// installedPath is apk's database of installed packages.
const installedPath = "lib/apk/db/installed"

type source struct {
	now func() time.Time
}

// New returns the apk inventory source.
func New() pluginapi.Source { return &source{now: time.Now} }

// Info implements pluginapi.Source.
func (s *source) Info() pluginapi.Info {
	return pluginapi.Info{
		Name:    Name,
		Version: version.Version,
		Kind:    pluginapi.KindPackages,
		OS:      []string{"linux"},
		Description: "Installed Alpine packages from lib/apk/db/installed with their origin packages; " +
			"pending updates from the cached APKINDEX files, offline (Alpine has no security classification: never marked security).",
	}
}

// Collect implements pluginapi.Source. A root without lib/apk/db/installed returns an error
// wrapping pluginapi.ErrNotApplicable; an unreadable database or a cancelled ctx returns an
// error. A missing release file (no ecosystem), an unreadable or missing repository index,
// and versions apk's ordering cannot parse end the run Partial with the reasons in the status.
func (s *source) Collect(ctx context.Context, req pluginapi.Request) (inventory.Result, error) {
	start := s.now()
	root := req.Root
	if root == "" {
		root = "/"
	}
	status := func(st inventory.Status, errs []string) inventory.SourceStatus {
		return inventory.SourceStatus{Name: Name, Version: version.Version, Status: st, Errors: errs, DurationMS: s.now().Sub(start).Milliseconds()}
	}
	fsys := os.DirFS(root)
	f, err := fsys.Open(installedPath)
	if errors.Is(err, fs.ErrNotExist) {
		return inventory.Result{Status: status(inventory.NotApplicable, nil)},
			fmt.Errorf("apk source: no %s under %s: %w", installedPath, root, pluginapi.ErrNotApplicable)
	}
	if err != nil {
		return inventory.Result{Status: status(inventory.Failed, []string{err.Error()})}, fmt.Errorf("apk source: %w", err)
	}
	var installed []record
	err = parseStanzas(f, func(r record) error {
		installed = append(installed, r)
		return ctx.Err()
	})
	f.Close()
	if err != nil {
		err = fmt.Errorf("read %s: %w", installedPath, err)
		return inventory.Result{Status: status(inventory.Failed, []string{err.Error()})}, fmt.Errorf("apk source: %w", err)
	}

	var errs []string
	note := func(err error) { errs = append(errs, err.Error()) }
	var res inventory.Result
	if res.Device, err = device(fsys); err != nil {
		note(err)
	}
	for _, r := range installed {
		src := r.Origin
		if src == "" {
			src = r.Name // a package built from an APKBUILD of its own name
		}
		res.Packages = append(res.Packages, inventory.Package{
			Name: r.Name, Version: r.Version, SourceName: src, SourceVersion: r.Version,
			Ecosystem: res.Device.Ecosystem, Arch: r.Arch,
		})
	}
	sort.Slice(res.Packages, func(i, j int) bool {
		a, b := res.Packages[i], res.Packages[j]
		return a.Name < b.Name || (a.Name == b.Name && a.Arch < b.Arch)
	})

	world, err := readWorld(fsys)
	if err != nil {
		note(err)
	}
	indexes, ierrs := loadIndexes(ctx, fsys)
	for _, e := range ierrs {
		note(e)
	}
	pending, perrs := pendingUpdates(installed, world, indexes)
	for _, e := range perrs {
		note(e)
	}
	res.PendingUpdates = pending

	if err := ctx.Err(); err != nil {
		return inventory.Result{Status: status(inventory.Failed, append(errs, err.Error()))}, fmt.Errorf("apk source: %w", err)
	}
	st := inventory.Succeeded
	if len(errs) > 0 {
		st = inventory.Partial
	}
	res.Status = status(st, errs)
	return res, nil
}

// device reads the device facts: os-release, or etc/alpine-release on images without it;
// the architecture from etc/apk/arch; host name and machine id.
func device(fsys fs.FS) (inventory.Device, error) {
	var errs []error
	kv, err := osrelease.Read(fsys)
	if err != nil {
		rel, rerr := readFirstLine(fsys, "etc/alpine-release")
		switch {
		case rerr != nil:
			errs = append(errs, fmt.Errorf("%w; %w: packages have no OSV ecosystem", err, rerr))
		case rel == "":
			errs = append(errs, fmt.Errorf("%w, nor etc/alpine-release: packages have no OSV ecosystem", err))
		default:
			kv = map[string]string{"ID": "alpine", "NAME": "Alpine Linux", "VERSION_ID": rel}
		}
	}
	d := osrelease.Device(kv)
	d.Hostname, d.MachineID, err = osrelease.Identity(fsys)
	if err != nil {
		errs = append(errs, err)
	}
	if d.Arch, err = readFirstLine(fsys, "etc/apk/arch"); err != nil {
		errs = append(errs, err)
	}
	return d, errors.Join(errs...)
}

func readWorld(fsys fs.FS) (map[string]worldEntry, error) {
	const name = "etc/apk/world"
	f, err := fsys.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	w, err := parseWorld(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return w, nil
}

// readFirstLine returns the first line of name, trimmed; "" if the file does not exist.
func readFirstLine(fsys fs.FS, name string) (string, error) {
	f, err := fsys.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if sc.Scan() {
		return strings.TrimSpace(sc.Text()), nil
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("read %s: %w", name, err)
	}
	return "", nil
}
