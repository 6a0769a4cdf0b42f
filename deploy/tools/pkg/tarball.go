package main

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// tarball writes ceplus-agent-<ver>-<os>-<arch>.tar.gz: one directory with the agent and its
// signed plugins (README "Agents only where the sample lands": ceplus-agent once), plus the
// service files of the target's system (the systemd unit; the launchd plist and install.sh).
func (r *release) tarball(b *build) (path string, err error) {
	name := "ceplus-agent-" + r.Version + "-" + b.Target.OS + "-" + b.Target.Arch
	var files []file
	for _, e := range b.signedSet() {
		files = append(files, file{Path: e.Name, Src: filepath.Join(b.Dir, e.Name), Mode: e.Mode})
	}
	switch b.Target.OS {
	case "linux":
		files = append(files, file{Path: "ceplus-agent.service", Src: filepath.Join(r.Module, "deploy", "systemd", "ceplus-agent.service"), Mode: 0o644})
	case "darwin":
		launchd := filepath.Join(r.Module, "deploy", "launchd")
		files = append(files, file{Path: "org.ceplus.agent.plist", Src: filepath.Join(launchd, "org.ceplus.agent.plist"), Mode: 0o644},
			file{Path: "install.sh", Src: filepath.Join(launchd, "install.sh"), Mode: 0o755})
	}
	path = filepath.Join(r.Out, name+".tar.gz")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return "", fmt.Errorf("create tarball: %w", err)
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("write tarball: %w", cerr)
		}
	}()
	zw := gzip.NewWriter(f)
	tw := tar.NewWriter(zw)
	hdr := func(n string, mode os.FileMode, size int64, typ byte) *tar.Header {
		return &tar.Header{Name: n, Mode: int64(mode), Size: size, Typeflag: typ, ModTime: r.MTime,
			Uid: 0, Gid: 0, Uname: "root", Gname: "root", Format: tar.FormatPAX}
	}
	if err := tw.WriteHeader(hdr(name+"/", 0o755, 0, tar.TypeDir)); err != nil {
		return "", fmt.Errorf("write tarball: %w", err)
	}
	for _, fl := range files {
		if err := addFile(tw, hdr, name+"/"+fl.Path, fl); err != nil {
			return "", fmt.Errorf("write tarball: %w", err)
		}
	}
	if err := tw.Close(); err != nil {
		return "", fmt.Errorf("write tarball: %w", err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("write tarball: %w", err)
	}
	return path, nil
}

// addFile writes fl to tw as name.
func addFile(tw *tar.Writer, hdr func(string, os.FileMode, int64, byte) *tar.Header, name string, fl file) error {
	in, err := os.Open(fl.Src)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(hdr(name, fl.Mode, st.Size(), tar.TypeReg)); err != nil {
		return err
	}
	_, err = io.Copy(tw, in)
	return err
}
