package serve

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/ceplus/ceplus/collector/internal/pki"
)

// MetaCAKey is the store meta key under which collectors sharing a store keep their CA
// (certificate and key, PEM): the first replica to start sets it, the others take it.
const MetaCAKey = "collector.ca"

// loadCA returns the collector's CA: from the data directory (created there on first start),
// or, with Config.SharedCA, from the store's meta table, so that every replica has the same one
// and an agent enrolled through one is accepted by all. A data directory that already holds a
// CA (a collector that ran alone before) seeds the store with it; one that holds another CA
// than the store's is refused.
func (c *Collector) loadCA(ctx context.Context) (*pki.CA, error) {
	dir := c.cfg.DataDir
	if !c.cfg.SharedCA {
		ca, created, err := pki.LoadOrCreate(dir, c.now())
		if created {
			c.log.Info("created the collector CA", "dir", dir)
		}
		return ca, err
	}
	local, err := localCA(dir)
	if err != nil {
		return nil, err
	}
	cand := local
	if cand == nil {
		if cand, err = pki.New(c.now()); err != nil {
			return nil, err
		}
	}
	b, err := cand.MarshalPEM()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	stored, err := c.store.InitMeta(ctx, MetaCAKey, b)
	if err != nil {
		return nil, fmt.Errorf("share the collector CA through the store: %w", err)
	}
	ca, err := pki.ParsePEM(stored)
	if err != nil {
		return nil, fmt.Errorf("the CA in the store's meta %q is unreadable: %w: restore the store from a backup", MetaCAKey, err)
	}
	switch {
	case local != nil && local.Fingerprint() != ca.Fingerprint():
		return nil, fmt.Errorf("the data directory %s holds CA %s, the shared store holds CA %s: agents pin one CA, so one collector cannot serve both; move %s and %s out of %s to use the store's",
			dir, local.Fingerprint(), ca.Fingerprint(), pki.CAKeyFile, pki.CACertFile, dir)
	case local != nil:
		c.log.Info("collector CA shared through the store", "from", dir)
	case ca.Fingerprint() == cand.Fingerprint():
		c.log.Info("created the collector CA in the shared store")
	default:
		c.log.Info("using the collector CA of the shared store")
	}
	return ca, nil
}

// localCA loads the CA of the data directory, or returns nil when it holds none.
func localCA(dir string) (*pki.CA, error) {
	_, kerr := os.Stat(filepath.Join(dir, pki.CAKeyFile))
	_, cerr := os.Stat(filepath.Join(dir, pki.CACertFile))
	if errors.Is(kerr, fs.ErrNotExist) && errors.Is(cerr, fs.ErrNotExist) {
		return nil, nil
	}
	return pki.Load(dir)
}
