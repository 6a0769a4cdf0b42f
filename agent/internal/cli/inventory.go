package cli

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ceplus/ceplus/agent/internal/sources"
	"github.com/ceplus/ceplus/shared/cmdline"
	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/pluginapi"
)

// pluginKey returns the key that plugin manifests must be signed with; tests replace it.
var pluginKey = sources.PublicKey

func runInventory(ctx context.Context, stdio cmdline.IO, args []string) int {
	const name = prog + " inventory"
	fs := cmdline.NewFlags("inventory", stdio)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s [--json] [--root DIR] [--plugins DIR] [--timeout 2m]\n\n"+
			"Runs every signed source plugin once and prints what is installed and which updates are pending.\n\n", name)
		fs.PrintDefaults()
	}
	asJSON := fs.Bool("json", false, "print the inventory as JSON")
	root := fs.String("root", "/", "filesystem `DIR` to inventory: / for this system, or a mounted image")
	plugins := fs.String("plugins", "", "`DIR` of the signed plugins (default: beside the ceplus-agent executable)")
	timeout := fs.Duration("timeout", 2*time.Minute, "time allowed to each source")
	if code, ok := cmdline.ParseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "unexpected argument %q", fs.Arg(0))
	}
	rootDir, err := filepath.Abs(*root)
	if err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--root %s: %v", *root, err)
	}
	if st, err := os.Stat(rootDir); err != nil || !st.IsDir() {
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--root %s is not a directory", *root)
	}
	if *timeout <= 0 {
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--timeout must be positive, got %v", *timeout)
	}
	l, err := pluginLoader(*plugins, stdio.Stderr)
	if err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
	}
	l.Timeout, l.Expected = *timeout, sources.Builtins(runtime.GOOS)
	inv, _, err := l.Inventory(ctx, pluginapi.Request{Root: rootDir}, time.Now())
	if err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
	}
	if *asJSON {
		if err := cmdline.PrintJSON(stdio.Stdout, inv); err != nil {
			return cmdline.Fail(stdio, name, cmdline.ExitError, "write JSON: %v", err)
		}
		return cmdline.ExitOK
	}
	if err := printInventory(stdio.Stdout, inv, l.Dir, l.PublicKey); err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "write inventory: %v", err)
	}
	return cmdline.ExitOK
}

// pluginLoader is the loader of the signed plugins in dir (default: defaultPluginDir), trusting
// the key built into this agent; the plugins' warnings go to log.
func pluginLoader(dir string, log io.Writer) (*sources.Loader, error) {
	if dir == "" {
		var err error
		if dir, err = defaultPluginDir(); err != nil {
			return nil, fmt.Errorf("%w; name the plugin directory with --plugins", err)
		}
	}
	pub, err := pluginKey()
	if err != nil {
		return nil, err
	}
	return &sources.Loader{Dir: dir, PublicKey: pub, GOOS: runtime.GOOS, Log: log}, nil
}

// defaultPluginDir is <exe dir>/plugins when it holds a manifest, else the executable's own
// directory.
func defaultPluginDir() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find the ceplus-agent executable: %w", err)
	}
	if exe, err = filepath.EvalSymlinks(exe); err != nil {
		return "", fmt.Errorf("find the ceplus-agent executable: %w", err)
	}
	dir := filepath.Dir(exe)
	if _, err := os.Stat(filepath.Join(dir, "plugins", pluginapi.ManifestFile)); err == nil {
		return filepath.Join(dir, "plugins"), nil
	}
	return dir, nil
}

// printInventory writes the human summary: device, counts, pending updates, source statuses.
func printInventory(w io.Writer, inv *inventory.Inventory, dir string, pub ed25519.PublicKey) error {
	d := inv.Device
	security := 0
	for _, u := range inv.PendingUpdates {
		if u.Security {
			security++
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "device\t%s (%s %s, %s)\n", orDash(d.Hostname), orDash(d.OSName), d.OSVersion, orDash(d.Arch))
	fmt.Fprintf(tw, "build\t%s\n", orDash(d.Build))
	fmt.Fprintf(tw, "ecosystem\t%s\n", orDash(d.Ecosystem))
	if d.Kernel != "" {
		fmt.Fprintf(tw, "kernel\t%s\n", d.Kernel)
	}
	fmt.Fprintf(tw, "packages\t%d\n", len(inv.Packages))
	fmt.Fprintf(tw, "pending updates\t%d (%d security)\n", len(inv.PendingUpdates), security)
	if len(inv.InstalledUpdates) > 0 || len(inv.Applications) > 0 {
		fmt.Fprintf(tw, "installed updates\t%d\napplications\t%d\n", len(inv.InstalledUpdates), len(inv.Applications))
	}
	fmt.Fprintf(tw, "content hash\t%s\n", inv.ContentHash())
	fmt.Fprintf(tw, "plugins\t%s (key %s)\n", dir, pluginapi.KeyID(pub))
	if len(inv.PendingUpdates) > 0 {
		fmt.Fprintf(tw, "\nPENDING UPDATE\tINSTALLED\tCANDIDATE\tORIGIN\tSECURITY\n")
		for _, u := range inv.PendingUpdates {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Name, orDash(u.Installed), orDash(u.Candidate), orDash(u.Origin), yesNo(u.Security))
		}
	}
	fmt.Fprintf(tw, "\nSOURCE\tVERSION\tSTATUS\tTIME\tERRORS\n")
	for _, s := range inv.Sources {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%dms\t%s\n", s.Name, orDash(s.Version), s.Status, s.DurationMS, oneLine(s.Errors))
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// oneLine joins errors for a table cell.
func oneLine(errs []string) string {
	return strings.Join(strings.Fields(strings.Join(errs, "; ")), " ")
}
