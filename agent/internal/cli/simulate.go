package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/ceplus/ceplus/agent/internal/daemon"
	"github.com/ceplus/ceplus/agent/internal/enrol"
	"github.com/ceplus/ceplus/shared/cmdline"
	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/version"
)

// simInventoryFile is the recorded inventory of one simulated agent, in its directory.
const simInventoryFile = "inventory.json"

func runSimulate(ctx context.Context, stdio cmdline.IO, args []string) int {
	const name = prog + " simulate"
	fs := cmdline.NewFlags("simulate", stdio)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s --dir DIR [--collector HOST:PORT --token T --ca-sha256 FP]\n\n"+
			"Testing and simulation aid (the demo's simulated estate): runs one real agent daemon for every folder\n"+
			"DIR/NAME that holds a recorded inventory %s, all in this process, each with its own key,\n"+
			"certificate, spool and QUIC connection. The inventory is re-read at every scan and stamped with NAME\n"+
			"as hostname and a machine id derived from it; replace the file to simulate a patched device.\n"+
			"Folders without an enrolment (NAME/state) are enrolled first with --token (one use each).\n\n", name, simInventoryFile)
		fs.PrintDefaults()
	}
	dir := fs.String("dir", "", "`DIR` of the simulated agents' folders")
	collector := fs.String("collector", "", "the collector's QUIC address `HOST:PORT`, to enrol new agents")
	token := fs.String("token", "", "enrolment token with a use for every agent still to enrol (or $CEPLUS_ENROL_TOKEN)")
	pin := fs.String("ca-sha256", "", "SHA-256 `FP` of the collector CA, to enrol new agents")
	interval := fs.Duration("interval", 24*time.Hour, "time between scheduled inventories of each agent")
	level := fs.String("log-level", "info", "log level: debug, info, warn or error")
	if code, ok := cmdline.ParseFlags(fs, args); !ok {
		return code
	}
	if *token == "" {
		*token = os.Getenv("CEPLUS_ENROL_TOKEN")
	}
	var lv slog.Level
	switch {
	case fs.NArg() > 0:
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "unexpected argument %q", fs.Arg(0))
	case *dir == "":
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--dir DIR is required")
	case *interval <= 0:
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--interval must be positive")
	case lv.UnmarshalText([]byte(*level)) != nil:
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--log-level %q: want debug, info, warn or error", *level)
	}
	names, err := simAgents(*dir)
	if err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
	}
	log := slog.New(slog.NewTextHandler(stdio.Stderr, &slog.HandlerOptions{Level: lv}))
	ids, err := simEnrol(ctx, *dir, names, enrol.Request{Collector: *collector, Token: *token, CAPin: *pin, AgentVersion: version.Version})
	if err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
	}
	fmt.Fprintf(stdio.Stdout, "simulating %d agents from %s\n", len(ids), *dir)
	var wg sync.WaitGroup
	errs := make([]error, len(ids))
	for i, id := range ids {
		n := names[i]
		d, err := daemon.New(daemon.Config{Identity: id, Log: log.With("sim", n), Version: version.Version, Hostname: n,
			Interval: *interval, BackoffMax: 5 * time.Second, Inventory: stamped(filepath.Join(*dir, n, simInventoryFile), n)})
		if err != nil {
			return cmdline.Fail(stdio, name, cmdline.ExitError, "agent %s: %v", n, err)
		}
		wg.Go(func() { errs[i] = d.Run(ctx) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
	}
	return cmdline.ExitOK
}

// simAgents lists the folders of dir that hold a recorded inventory, sorted.
func simAgents(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read the simulated agents' folder: %w", err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, e.Name(), simInventoryFile)); err == nil {
			names = append(names, e.Name())
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s holds no folder with a %s: give each simulated agent a folder NAME/%s", dir, simInventoryFile, simInventoryFile)
	}
	sort.Strings(names)
	return names, nil
}

// simEnrol loads every agent's identity, enrolling the ones without a state first (eight at a
// time).
func simEnrol(ctx context.Context, dir string, names []string, req enrol.Request) ([]*enrol.Identity, error) {
	ids := make([]*enrol.Identity, len(names))
	errs := make([]error, len(names))
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, n := range names {
		state := filepath.Join(dir, n, "state")
		if id, err := enrol.Load(state); err == nil {
			ids[i] = id
			continue
		} else if !errors.Is(err, enrol.ErrNotEnrolled) {
			return nil, fmt.Errorf("agent %s: %w", n, err)
		}
		if req.Collector == "" || req.Token == "" || req.CAPin == "" {
			return nil, fmt.Errorf("agent %s is not enrolled: give --collector, --token and --ca-sha256 to enrol it", n)
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			r := req
			r.StateDir, r.Hostname = state, n
			ids[i], errs[i] = enrol.Enrol(ctx, r)
			if errs[i] != nil {
				errs[i] = fmt.Errorf("enrol agent %s: %w", n, errs[i])
			}
		})
	}
	wg.Wait()
	return ids, errors.Join(errs...)
}

// stamped returns the producer of a simulated agent: the recorded inventory at path, re-read
// at every scan, with the agent's name as hostname and a machine id derived from it.
func stamped(path, name string) daemon.Producer {
	rec := daemon.RecordedInventory(path, time.Now)
	sum := sha256.Sum256([]byte("ceplus-sim/" + name))
	mid := hex.EncodeToString(sum[:16])
	return func(ctx context.Context) (*inventory.Inventory, error) {
		inv, err := rec(ctx)
		if err != nil {
			return nil, err
		}
		inv.Device.Hostname, inv.Device.MachineID = name, mid
		return inv, nil
	}
}
