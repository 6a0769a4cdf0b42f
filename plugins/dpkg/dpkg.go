// Package dpkg is the inventory source for Debian and Ubuntu systems. It reads the dpkg status
// database for the installed packages, with exact versions (epochs kept), architecture and
// source package, and computes the pending updates offline the way `apt list --upgradable`
// does: from the package lists apt downloaded (var/lib/apt/lists, plain or compressed), the
// sources configured in etc/apt and apt's pin priorities from etc/apt/preferences.
//
// Installed means dpkg state installed, triggers-awaited or triggers-pending, whatever the
// selection (install, hold, deinstall). A package dpkg left unpacked, half-configured or
// half-installed is not listed, and makes the result Partial with an error naming it. An
// update is a security update when a suite offering it is a security suite (suite or codename
// ending in -security, or label Debian-Security).
//
// Everything is read below Request.Root, so a mounted image or a test root works as well as
// the running system; only the kernel release comes from the running system, and only when the
// root is "/".
//
// The pending list follows apt's own rules, checked against apt itself by the tests: default
// priorities (500; 100 for the status file and NotAutomatic+ButAutomaticUpgrades suites such as
// backports; 1 for NotAutomatic suites), pins from etc/apt/preferences and preferences.d
// (Package: names, globs, /regex/, src: and :arch selectors; Pin: version, release a= n= o= l=
// v= c= b= or a bare suite, and origin), APT::Default-Release (990), the candidate search from
// the highest version down with the installed version raising the bar to 1000, only the
// architectures dpkg is configured for, and two builds of one version string told apart as apt
// does (dependency fields, Multi-Arch, size). Not covered: the nested form
// `APT { Default-Release …; }` and other apt.conf settings (the default Dir:: layout is
// assumed), Ubuntu's phased updates (reported as pending: they are published updates), and
// never-pins (-32768) on some but not all files of a version. file: and cdrom: repositories
// are looked up under the list names apt gives network ones, which the tests do not cover.
//
// Release dates: apt's lists do not say when a package version was published. The Date of the
// Release file is when the archive last regenerated the list (daily for security suites), so
// using it as the release date would make old updates look recent and hide breaches of the
// 14-day rule.
// PendingUpdate.Released is therefore left empty; the list date is kept internally as an upper
// bound (pending.ListDate) until the inventory model has a field for it.
package dpkg

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/osrelease"
	"github.com/ceplus/ceplus/shared/pluginapi"
	"github.com/ceplus/ceplus/shared/version"
)

// Name is the source's name in manifests and source statuses.
const Name = "dpkg"

// statusFile is the dpkg database, relative to the root.
const statusFile = "var/lib/dpkg/status"

// Source reads a dpkg-based system. The zero value is not usable; call New.
type Source struct {
	// now measures the run's duration.
	now func() time.Time
	// runningKernel returns the running kernel's release; used only when the root is "/".
	runningKernel func() (string, error)
	// hostname is the running system's host name, used when the root is "/" and has no
	// etc/hostname.
	hostname func() (string, error)
}

// New returns the dpkg source.
func New() pluginapi.Source {
	return &Source{now: time.Now, runningKernel: procKernelRelease, hostname: os.Hostname}
}

// Info describes the source: a package source for Linux that reads files only, and needs no
// root rights (the dpkg status, apt lists and preferences are world-readable).
func (s *Source) Info() pluginapi.Info {
	return pluginapi.Info{
		Name:        Name,
		Version:     version.Version,
		Kind:        pluginapi.KindPackages,
		OS:          []string{"linux"},
		Description: "Debian and Ubuntu: installed packages from the dpkg status database, pending updates from apt's package lists and preferences",
	}
}

// Collect inventories the system below req.Root ("" means "/"). It returns an error wrapping
// pluginapi.ErrNotApplicable when there is no dpkg database. Problems that leave part of the
// answer missing (no os-release, apt lists never fetched, a package dpkg left half-installed)
// make the result Partial, each named in Status.Errors.
func (s *Source) Collect(ctx context.Context, req pluginapi.Request) (inventory.Result, error) {
	start := s.now()
	root := cmp.Or(req.Root, "/")
	res := inventory.Result{Status: inventory.SourceStatus{Name: Name, Version: version.Version}}
	finish := func(err error) (inventory.Result, error) {
		res.Status.DurationMS = s.now().Sub(start).Milliseconds()
		switch {
		case errors.Is(err, pluginapi.ErrNotApplicable):
			res.Status.Status = inventory.NotApplicable
		case err != nil:
			res.Status.Status = inventory.Failed
			res.Status.Errors = append(res.Status.Errors, err.Error())
		case len(res.Status.Errors) > 0:
			res.Status.Status = inventory.Partial
		default:
			res.Status.Status = inventory.Succeeded
		}
		return res, err
	}
	fsys := os.DirFS(root)

	f, err := fsys.Open(statusFile)
	if errors.Is(err, fs.ErrNotExist) {
		return finish(fmt.Errorf("dpkg: no %s under %s: %w", statusFile, root, pluginapi.ErrNotApplicable))
	}
	if err != nil {
		return finish(fmt.Errorf("dpkg: open status database: %w", err))
	}
	status, err := parseStatus(f)
	f.Close()
	if err != nil {
		return finish(fmt.Errorf("dpkg: %s: %w", filepath.Join(root, statusFile), err))
	}
	note := func(err error) { res.Status.Errors = append(res.Status.Errors, err.Error()) }

	res.Device = s.device(fsys, root, status, note)
	for _, e := range status {
		switch {
		case e.installed():
			res.Packages = append(res.Packages, inventory.Package{
				Name: e.Name, Version: e.Version, SourceName: e.SourceName, SourceVersion: e.SourceVersion,
				Ecosystem: res.Device.Ecosystem, Arch: e.Arch,
			})
		case e.broken():
			note(fmt.Errorf("package %s:%s is %s (dpkg status %q): which version's files are on disk is unknown; run dpkg --configure -a or reinstall it",
				e.Name, e.Arch, e.State, e.Want+" "+e.Flag+" "+e.State))
		}
	}
	if err := ctx.Err(); err != nil {
		return finish(err)
	}

	arches, err := architectures(fsys, res.Device.Arch)
	if err != nil {
		note(fmt.Errorf("foreign architectures unknown, reading lists of %s only: %w", res.Device.Arch, err))
	}
	ups, notes, err := pendingUpdates(ctx, fsys, status, res.Device.Arch, arches)
	if ctx.Err() != nil {
		return finish(ctx.Err())
	}
	if err != nil {
		note(fmt.Errorf("pending updates unknown: %w", err))
	}
	for _, n := range notes {
		note(fmt.Errorf("pending updates may be incomplete: %w", n))
	}
	for _, u := range ups {
		res.PendingUpdates = append(res.PendingUpdates, inventory.PendingUpdate{
			Name: u.Name, Installed: u.Installed, Candidate: u.Candidate, Origin: u.Origin,
			Security: u.Security, Arch: u.Arch,
		})
	}
	return finish(nil)
}

// device gathers the device facts: os-release, host name, machine id, dpkg's native
// architecture and, on the running system, the kernel release.
func (s *Source) device(fsys fs.FS, root string, status []statusEntry, note func(error)) inventory.Device {
	var d inventory.Device
	if kv, err := osrelease.Read(fsys); err != nil {
		note(fmt.Errorf("os release unknown, packages carry no ecosystem: %w", err))
	} else {
		d = osrelease.Device(kv)
	}
	if h, err := firstLine(fsys, "etc/hostname"); err == nil {
		d.Hostname = h
	} else if root == "/" {
		if h, err := s.hostname(); err == nil {
			d.Hostname = h
		} else {
			note(fmt.Errorf("host name: %w", err))
		}
	}
	for _, p := range []string{"etc/machine-id", "var/lib/dbus/machine-id"} {
		if id, err := firstLine(fsys, p); err == nil && id != "" {
			d.MachineID = id
			break
		}
	}
	d.Arch = nativeArch(fsys, status)
	if d.OSFamily == inventory.FamilyUbuntu {
		// An unreadable source list is reported by the pending-update pass, which reads it too;
		// here it only means no enrolment is claimed.
		if src, err := readSources(fsys); err == nil {
			d.ESM = esmEnrolled(fsys, src)
		}
	}
	if d.OSFamily != "" {
		d.Build = inventory.BuildKey(d)
	}
	if filepath.Clean(root) == "/" && runtime.GOOS == "linux" {
		if k, err := s.runningKernel(); err != nil {
			note(fmt.Errorf("running kernel: %w", err))
		} else {
			d.Kernel = k
		}
	}
	return d
}

// nativeArch is dpkg's native architecture: the architecture of the installed dpkg package
// (dpkg is always native), else the first line of var/lib/dpkg/arch, else the most common
// architecture other than "all".
func nativeArch(fsys fs.FS, status []statusEntry) string {
	for _, e := range status {
		if e.Name == "dpkg" && e.installed() && e.Arch != "" && e.Arch != "all" {
			return e.Arch
		}
	}
	if a, err := firstLine(fsys, "var/lib/dpkg/arch"); err == nil && a != "" {
		return a
	}
	count := map[string]int{}
	for _, e := range status {
		if e.installed() && e.Arch != "all" && e.Arch != "" {
			count[e.Arch]++
		}
	}
	best := ""
	for a, n := range count {
		if n > count[best] || n == count[best] && a < best {
			best = a
		}
	}
	return best
}

// architectures are the architectures dpkg is configured for, the ones apt reads lists for
// (APT::Architectures defaults to dpkg's native and foreign architectures): the native one and
// those listed in var/lib/dpkg/arch.
func architectures(fsys fs.FS, native string) ([]string, error) {
	arches := []string{native}
	b, err := fs.ReadFile(fsys, "var/lib/dpkg/arch")
	if errors.Is(err, fs.ErrNotExist) {
		return arches, nil // no foreign architecture was ever added
	}
	if err != nil {
		return arches, err
	}
	for _, a := range strings.Fields(string(b)) {
		if !slices.Contains(arches, a) {
			arches = append(arches, a)
		}
	}
	return arches, nil
}

// firstLine returns the first line of a small file, trimmed.
func firstLine(fsys fs.FS, name string) (string, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSpace(line), nil
}

// procKernelRelease reads the running kernel's release (uname -r).
func procKernelRelease() (string, error) {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}
