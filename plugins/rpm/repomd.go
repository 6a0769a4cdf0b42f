package rpm

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
)

// parseRepomd returns the location (href) of each metadata type in a repomd.xml.
func parseRepomd(r io.Reader) (map[string]string, error) {
	var md struct {
		Data []struct {
			Type     string `xml:"type,attr"`
			Location struct {
				Href string `xml:"href,attr"`
			} `xml:"location"`
		} `xml:"data"`
	}
	if err := xml.NewDecoder(r).Decode(&md); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, d := range md.Data {
		if d.Type != "" && d.Location.Href != "" {
			out[d.Type] = d.Location.Href
		}
	}
	return out, nil
}

// repoFiles returns the cached files of repo for each metadata type, relative to the root
// ("" when not cached). repomd.xml names them; dnf and zypper keep them at the href under the
// cache directory, yum keeps them by base name next to repomd.xml. Without a repomd.xml the
// files are found by name.
func repoFiles(fsys fs.FS, repo cachedRepo, types ...string) (map[string]string, error) {
	out := map[string]string{}
	var mdDir string
	var locs map[string]string
	for _, dir := range []string{path.Join(repo.Dir, "repodata"), repo.Dir} {
		f, err := fsys.Open(path.Join(dir, "repomd.xml"))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("open %s/repomd.xml: %w", dir, err)
		}
		locs, err = parseRepomd(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("parse %s/repomd.xml: %w", dir, err)
		}
		mdDir = dir
		break
	}
	for _, typ := range types {
		if locs != nil {
			href, ok := locs[typ]
			if !ok {
				continue
			}
			for _, p := range []string{path.Join(repo.Dir, href), path.Join(mdDir, path.Base(href))} {
				if fi, err := fs.Stat(fsys, p); err == nil && fi.Mode().IsRegular() {
					out[typ] = p
					break
				}
			}
			continue
		}
		p, err := globMetadata(fsys, repo.Dir, typ)
		if err != nil {
			return nil, err
		}
		out[typ] = p
	}
	return out, nil
}

// metadataNames match the file names of each metadata type when there is no repomd.xml:
// createrepo prefixes them with a checksum and "-" and suffixes the compression.
var metadataNames = map[string]*regexp.Regexp{
	"primary":    regexp.MustCompile(`^(.*-)?primary\.xml(\.[a-z0-9]+)?$`),
	"primary_db": regexp.MustCompile(`^(.*-)?primary\.sqlite(\.[a-z0-9]+)?$`),
	"updateinfo": regexp.MustCompile(`^(.*-)?updateinfo\.xml(\.[a-z0-9]+)?$`),
}

// globMetadata finds a metadata file without repomd.xml, in dir/repodata or dir.
func globMetadata(fsys fs.FS, dir, typ string) (string, error) {
	re, ok := metadataNames[typ]
	if !ok {
		return "", nil
	}
	for _, d := range []string{path.Join(dir, "repodata"), dir} {
		entries, err := fs.ReadDir(fsys, d)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("list %s: %w", d, err)
		}
		for _, e := range entries {
			if e.Type().IsRegular() && re.MatchString(e.Name()) {
				return path.Join(d, e.Name()), nil
			}
		}
	}
	return "", nil
}
