// Command testplugin is a source plugin for the containment tests of the plugin host. It is
// built by the tests and copied under names that choose its behaviour:
//
//	ceplus-plugin-test-ok     returns N packages (Request.Root "n=N", default 3)
//	ceplus-plugin-test-crash  exits the process in the middle of Collect
//	ceplus-plugin-test-panic  panics in Collect, unless Request.Root is "calm"
//	ceplus-plugin-test-hang   never answers Collect, ignoring its context
//	ceplus-plugin-test-na     reports that it is not applicable
//
// and, as a discovery source (discover.go):
//
//	ceplus-plugin-test-discover       one up host per target; see discoverSource
//	ceplus-plugin-test-discover-hang  never answers Discover, ignoring its context
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/pluginapi"
)

func main() {
	name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(os.Args[0]), pluginapi.FilePrefix), ".exe")
	if strings.HasPrefix(name, "test-discover") {
		pluginapi.Serve(&discoverSource{name: name})
	}
	pluginapi.Serve(&source{name: name})
}

type source struct{ name string }

func (s *source) Info() pluginapi.Info {
	return pluginapi.Info{Name: s.name, Version: "0.0.1-test", Kind: pluginapi.KindPackages,
		OS: []string{runtime.GOOS}, Description: "test plugin"}
}

func (s *source) Collect(ctx context.Context, req pluginapi.Request) (inventory.Result, error) {
	switch strings.TrimPrefix(s.name, "test-") {
	case "crash":
		time.Sleep(20 * time.Millisecond)
		os.Exit(3)
	case "panic":
		if req.Root != "calm" {
			panic("test plugin panics on purpose")
		}
	case "hang":
		time.Sleep(time.Hour)
	case "na":
		return inventory.Result{}, fmt.Errorf("no test database under %s: %w", req.Root, pluginapi.ErrNotApplicable)
	}
	n := 3
	if v, ok := strings.CutPrefix(req.Root, "n="); ok {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			return inventory.Result{}, fmt.Errorf("request root %q: want n=<count>: %w", req.Root, err)
		}
	}
	res := inventory.Result{
		Device: inventory.Device{Hostname: "test-host", OSFamily: inventory.FamilyDebian, OSName: "Debian GNU/Linux",
			OSVersion: "12", Arch: "amd64", Ecosystem: "Debian:12"},
		PendingUpdates: []inventory.PendingUpdate{{Name: "pkg-00000", Installed: "1.0-1", Candidate: "1.0-1+deb12u1",
			Origin: "Debian-Security bookworm-security", Security: true, Arch: "amd64"}},
		Status: inventory.SourceStatus{Name: s.name, Version: "0.0.1-test", Status: inventory.Succeeded},
	}
	res.Packages = make([]inventory.Package, n)
	for i := range res.Packages {
		if i%1000 == 0 && ctx.Err() != nil {
			return inventory.Result{}, fmt.Errorf("collect test packages: %w", ctx.Err())
		}
		res.Packages[i] = inventory.Package{Name: fmt.Sprintf("pkg-%05d", i), Version: "1.2.3-4+deb12u1",
			SourceName: fmt.Sprintf("src-%05d", i), SourceVersion: "1.2.3-4+deb12u1", Ecosystem: "Debian:12", Arch: "amd64"}
	}
	return res, nil
}
