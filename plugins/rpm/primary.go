package rpm

import (
	"context"
	"database/sql"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
)

// available is one package build that a repository offers.
type available struct {
	Name, Arch              string
	Epoch, Version, Release string
}

// EVR formats the build's version as the inventory writes it.
func (a available) EVR() string { return repoEVR(a.Epoch, a.Version, a.Release) }

// parsePrimary reads the package list of a primary.xml, streaming: primary files of large
// repositories are tens of megabytes. Source packages are skipped.
func parsePrimary(ctx context.Context, r io.Reader) ([]available, error) {
	type pkg struct {
		Name    string `xml:"name"`
		Arch    string `xml:"arch"`
		Version struct {
			Epoch string `xml:"epoch,attr"`
			Ver   string `xml:"ver,attr"`
			Rel   string `xml:"rel,attr"`
		} `xml:"version"`
	}
	var out []available
	err := decodeEach(ctx, r, "package", func(p pkg) {
		if p.Arch == "src" || p.Arch == "nosrc" || p.Name == "" {
			return
		}
		out = append(out, available{p.Name, p.Arch, p.Version.Epoch, p.Version.Ver, p.Version.Rel})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// decodeEach streams the XML in r and decodes every element named local into a T for add,
// checking ctx between tokens.
func decodeEach[T any](ctx context.Context, r io.Reader, local string, add func(T)) error {
	dec := xml.NewDecoder(r)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != local {
			continue
		}
		var v T
		if err := dec.DecodeElement(&v, &se); err != nil {
			return err
		}
		add(v)
	}
}

// readPrimaryDB reads the package list of a yum primary sqlite database (primary.sqlite,
// usually bzip2'd). sqlite needs a file, so a compressed one is expanded to a temporary file.
func readPrimaryDB(ctx context.Context, fsys fs.FS, name string) (out []available, err error) {
	r, err := openMetadata(fsys, name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	tmp, err := os.CreateTemp("", "ceplus-primary-*.sqlite")
	if err != nil {
		return nil, fmt.Errorf("expand %s: %w", name, err)
	}
	defer func() {
		err = errors.Join(err, os.Remove(tmp.Name()))
	}()
	_, err = io.Copy(tmp, r)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("expand %s: %w", name, err)
	}
	u := url.URL{Scheme: "file", OmitHost: true, Path: tmp.Name(), RawQuery: "mode=ro&immutable=1"}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	defer func() {
		if cerr := db.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close %s: %w", name, cerr)
		}
	}()
	rows, err := db.QueryContext(ctx, "SELECT name, arch, COALESCE(epoch, ''), version, COALESCE(release, '') FROM packages")
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var a available
		if err := rows.Scan(&a.Name, &a.Arch, &a.Epoch, &a.Version, &a.Release); err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		if a.Arch != "src" && a.Arch != "nosrc" {
			out = append(out, a)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return out, nil
}
