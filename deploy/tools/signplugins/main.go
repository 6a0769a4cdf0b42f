// Command signplugins signs the source plugins of a build: it writes plugins.json (file name,
// SHA-256 and description of every ceplus-plugin-* binary in -dir) and plugins.json.sig
// (ed25519). A plugin built for another platform is described by a host build of the same Go
// package (deploy/tools/internal/plugsign). The private key is generated on first use at -key
// (mode 0600, kept out of git); -print-pub prints the base64 public key that `make build` embeds
// in ceplus-agent. Run it from inside the module.
//
//	go run ./deploy/tools/signplugins -key deploy/keys/plugins.key -dir bin
//	go run ./deploy/tools/signplugins -key deploy/keys/plugins.key -dir dist/build/windows-amd64 -os windows -ldflags "$LDFLAGS"
//	go run ./deploy/tools/signplugins -key deploy/keys/plugins.key -print-pub
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ceplus/ceplus/deploy/tools/internal/plugsign"
)

func main() {
	keyPath := flag.String("key", "deploy/keys/plugins.key", "ed25519 private key file (created on first use)")
	dir := flag.String("dir", "bin", "directory holding the ceplus-plugin-* binaries; the manifest is written there")
	goos := flag.String("os", "", "sign only the plugins that run on this GOOS (default: all)")
	ldflags := flag.String("ldflags", "", "the -ldflags the plugins were built with (-trimpath keeps them out of the binaries), for describing cross-built ones")
	printPub := flag.Bool("print-pub", false, "print the base64 public key and exit")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := run(ctx, *keyPath, *dir, *goos, *ldflags, *printPub); err != nil {
		fmt.Fprintf(os.Stderr, "signplugins: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, keyPath, dir, goos, ldflags string, printPub bool) (err error) {
	priv, err := plugsign.LoadOrCreateKey(keyPath, os.Stderr)
	if err != nil {
		return err
	}
	if printPub {
		fmt.Println(plugsign.PublicKey(priv))
		return nil
	}
	d := plugsign.Describer{LDFlags: ldflags}
	defer func() {
		if cerr := d.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("remove host copies: %w", cerr)
		}
	}()
	m, err := plugsign.Sign(ctx, dir, priv, goos, &d)
	if err != nil {
		return err
	}
	names := make([]string, len(m.Plugins))
	for i, e := range m.Plugins {
		names[i] = e.File + "(" + e.Kind + ")"
	}
	fmt.Printf("signed %d plugins in %s with key %s: %s\n", len(names), dir, plugsign.KeyID(priv), strings.Join(names, " "))
	return nil
}
