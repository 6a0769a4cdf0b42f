// Command pkg builds the ceplus release packages into -out (make package: dist/): for each
// target it runs the steps of `make build` (plugins built and signed with -key, only those that
// run on the target's OS; the agent linked with the matching public key; on Linux the
// collector), then writes
//
//	ceplus-agent_<ver>_<arch>.deb and .rpm, ceplus-collector_<ver>_<arch>.deb and .rpm (Linux)
//	ceplus-agent-<ver>-<os>-<arch>.tar.gz (every target: agent and signed plugins, for `once`)
//
// with dpkg-deb and rpmbuild. The version comes from git describe (-version overrides). Run it
// from inside the module:
//
//	go run ./deploy/tools/pkg -key deploy/keys/plugins.key -out dist
//	go run ./deploy/tools/pkg -targets linux/amd64 -formats deb -out /tmp/p
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
)

func main() {
	var c config
	flag.StringVar(&c.Key, "key", "deploy/keys/plugins.key", "plugin signing key (created on first use)")
	flag.StringVar(&c.Out, "out", "dist", "output `DIR`")
	flag.StringVar(&c.Version, "version", "", "package version (default: from git describe)")
	targets := flag.String("targets", "linux/amd64,linux/arm64,windows/amd64,darwin/arm64,darwin/amd64", "comma-separated GOOS/GOARCH list")
	formats := flag.String("formats", "deb,rpm,tar", "comma-separated formats: deb, rpm, tar (deb and rpm for Linux targets only)")
	flag.Parse()
	c.Targets = strings.Split(*targets, ",")
	c.Formats = strings.Split(*formats, ",")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	files, err := run(ctx, c, os.Stderr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pkg: %v\n", err)
		os.Exit(1)
	}
	for _, f := range files {
		fmt.Println(f)
	}
}
