package macos

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/micromdm/plist"
)

// appDirs are the folders searched for application bundles, relative to the filesystem root.
// In "Applications" one level of plain folders is searched too ("Adobe Photoshop 2024/…").
var appDirs = []string{"Applications", "Applications/Utilities", "System/Applications", "System/Applications/Utilities"}

type bundleInfo struct {
	Identifier   string `plist:"CFBundleIdentifier"`
	ShortVersion string `plist:"CFBundleShortVersionString"`
	Version      string `plist:"CFBundleVersion"`
}

// applications lists the application bundles under fsys (the filesystem root): those in
// appDirs and in each user's ~/Applications. Name is the bundle's folder name without ".app",
// as Finder shows it; Version is CFBundleShortVersionString, else CFBundleVersion; ID is
// CFBundleIdentifier. Info.plist may be XML or binary. A bundle whose Info.plist cannot be
// read is reported as an error and left out.
func applications(ctx context.Context, fsys fs.FS) ([]inventory.Application, []error) {
	var bundles []string
	var errs []error
	seen := map[string]bool{}
	add := func(dir string, nested bool) {
		ents, err := fs.ReadDir(fsys, dir)
		if errors.Is(err, fs.ErrNotExist) {
			return
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("list applications in /%s: %w", dir, err))
		}
		for _, e := range ents {
			p := path.Join(dir, e.Name())
			switch {
			case strings.HasSuffix(e.Name(), ".app") && !seen[p]:
				seen[p] = true
				bundles = append(bundles, p)
			case nested && e.IsDir() && !strings.HasPrefix(e.Name(), "."):
				sub, err := fs.ReadDir(fsys, p)
				if err != nil {
					errs = append(errs, fmt.Errorf("list applications in /%s: %w", p, err))
				}
				for _, s := range sub {
					if q := path.Join(p, s.Name()); strings.HasSuffix(s.Name(), ".app") && !seen[q] {
						seen[q] = true
						bundles = append(bundles, q)
					}
				}
			}
		}
	}
	for _, d := range appDirs {
		add(d, d == "Applications")
	}
	users, err := fs.ReadDir(fsys, "Users")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		errs = append(errs, fmt.Errorf("list /Users: %w", err))
	}
	for _, u := range users {
		if u.IsDir() && u.Name() != "Shared" {
			add(path.Join("Users", u.Name(), "Applications"), false)
		}
	}

	var out []inventory.Application
	for _, b := range bundles {
		if err := ctx.Err(); err != nil {
			return out, append(errs, err)
		}
		app, err := readBundle(fsys, b)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, app)
	}
	return out, errs
}

// readBundle reads Contents/Info.plist of a bundle, or WrappedBundle/Info.plist for the iPhone
// and iPad apps that Apple silicon Macs run, whose outer bundle has no Contents.
func readBundle(fsys fs.FS, bundle string) (inventory.Application, error) {
	data, err := fs.ReadFile(fsys, path.Join(bundle, "Contents", "Info.plist"))
	if errors.Is(err, fs.ErrNotExist) {
		if d, werr := fs.ReadFile(fsys, path.Join(bundle, "WrappedBundle", "Info.plist")); werr == nil {
			data, err = d, nil
		}
	}
	if err != nil {
		return inventory.Application{}, fmt.Errorf("application /%s: read Info.plist: %w", bundle, err)
	}
	var info bundleInfo
	if err := plist.Unmarshal(data, &info); err != nil {
		return inventory.Application{}, fmt.Errorf("application /%s: parse Info.plist: %w", bundle, err)
	}
	v := strings.TrimSpace(info.ShortVersion)
	if v == "" {
		v = strings.TrimSpace(info.Version)
	}
	return inventory.Application{
		Name:    strings.TrimSuffix(path.Base(bundle), ".app"),
		Version: v,
		ID:      info.Identifier,
	}, nil
}
