package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ceplus/ceplus/collector/internal/ingest"
	"github.com/ceplus/ceplus/collector/internal/serve"
	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/cmdline"
	"github.com/ceplus/ceplus/shared/identity"
)

func runAgents(ctx context.Context, stdio cmdline.IO, args []string) int {
	return cmdline.Dispatch(ctx, prog+" agents", []cmdline.Command{
		{Name: "list", Summary: "list the enrolled agents with their last inventory", Run: runAgentsList},
		{Name: "revoke", Summary: "revoke an agent: refused at its next handshake, its live connection closed", Run: runAgentsRevoke},
		{Name: "scan", Summary: "ask a connected agent to inventory now, through the running collector's API", Run: runAgentsScan},
	}, stdio, args)
}

// agentJSON is one agent in `agents list --json`.
type agentJSON struct {
	ID          string     `json:"id"`
	Hostname    string     `json:"hostname"`
	Build       string     `json:"build"`
	LastSeen    *time.Time `json:"last_seen"`
	Packages    int        `json:"packages"`
	ContentHash string     `json:"content_hash,omitempty"`
	CollectedAt *time.Time `json:"collected_at,omitempty"`
	EnrolledAt  time.Time  `json:"enrolled_at"`
	Revoked     bool       `json:"revoked"`
	Assessment  string     `json:"assessment,omitempty"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func runAgentsList(ctx context.Context, stdio cmdline.IO, args []string) int {
	const name = prog + " agents list"
	fs := cmdline.NewFlags("agents list", stdio)
	data := fs.String("data", "", "collector data `DIR` (SQLite store)")
	storeURL := fs.String("store", "", "PostgreSQL `URL` instead of the SQLite store in --data")
	asJSON := fs.Bool("json", false, "print a JSON list with id, hostname, build, last_seen, packages")
	if code, ok := cmdline.ParseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "unexpected argument %q", fs.Arg(0))
	}
	closeStore, st, code := openStore(ctx, stdio, name, *data, *storeURL)
	if closeStore == nil {
		return code
	}
	defer closeStore()
	agents, err := st.ListAgents(ctx, store.AgentFilter{})
	if err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
	}
	out := make([]agentJSON, 0, len(agents))
	for _, a := range agents {
		j := agentJSON{ID: a.ID.String(), Hostname: a.Hostname, Build: a.Build, LastSeen: timePtr(a.LastSeen),
			EnrolledAt: a.EnrolledAt, Revoked: a.Revoked(), Assessment: a.AssessmentID}
		if a.Latest != nil {
			j.Packages, j.ContentHash, j.CollectedAt = a.Latest.Packages, a.Latest.ContentHash, timePtr(a.Latest.CollectedAt)
			if j.Build == "" {
				j.Build = a.Latest.Build
			}
		}
		out = append(out, j)
	}
	if *asJSON {
		if err := cmdline.PrintJSON(stdio.Stdout, out); err != nil {
			return cmdline.Fail(stdio, name, cmdline.ExitError, "write JSON: %v", err)
		}
		return cmdline.ExitOK
	}
	tw := tabwriter.NewWriter(stdio.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tHOSTNAME\tBUILD\tLAST SEEN\tPACKAGES\tSTATUS")
	for _, a := range out {
		seen, status := "never", "active"
		if a.LastSeen != nil {
			seen = a.LastSeen.Local().Format(time.DateTime)
		}
		if a.Revoked {
			status = "revoked"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", a.ID[:12], dash(a.Hostname), dash(a.Build), seen, a.Packages, status)
	}
	if err := tw.Flush(); err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "write: %v", err)
	}
	return cmdline.ExitOK
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func runAgentsRevoke(ctx context.Context, stdio cmdline.IO, args []string) int {
	const name = prog + " agents revoke"
	fs := cmdline.NewFlags("agents revoke", stdio)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s --data DIR|--store URL [--reason TEXT] ID\n\nID is the agent id or a unique prefix of at least 8 characters.\n\n", name)
		fs.PrintDefaults()
	}
	data := fs.String("data", "", "collector data `DIR` (SQLite store)")
	storeURL := fs.String("store", "", "PostgreSQL `URL` instead of the SQLite store in --data")
	reason := fs.String("reason", "revoked by an administrator", "why, recorded with the revocation")
	rest, code, ok := parseInterleaved(fs, args)
	if !ok {
		return code
	}
	if len(rest) != 1 {
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "want exactly one agent ID (see 'ceplus-collector agents list')")
	}
	closeStore, st, code := openStore(ctx, stdio, name, *data, *storeURL)
	if closeStore == nil {
		return code
	}
	defer closeStore()
	id, err := resolveAgent(ctx, st, rest[0])
	if err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "%v", err)
	}
	if err := ingest.Revoke(ctx, st, id, *reason, time.Now()); err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
	}
	fmt.Fprintf(stdio.Stdout, "revoked agent %s\n", id)
	return cmdline.ExitOK
}

// resolveAgent accepts a full agent ID or a unique prefix of at least 8 hex characters.
func resolveAgent(ctx context.Context, st store.Store, s string) (identity.AgentID, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) == 64 {
		return identity.ParseAgentID(s)
	}
	if len(s) < 8 {
		return identity.AgentID{}, fmt.Errorf("agent ID %q: give the full ID or at least 8 characters of it", s)
	}
	agents, err := st.ListAgents(ctx, store.AgentFilter{})
	if err != nil {
		return identity.AgentID{}, err
	}
	var found []identity.AgentID
	for _, a := range agents {
		if strings.HasPrefix(a.ID.String(), s) {
			found = append(found, a.ID)
		}
	}
	switch len(found) {
	case 0:
		return identity.AgentID{}, fmt.Errorf("no agent ID starts with %q: see 'ceplus-collector agents list'", s)
	case 1:
		return found[0], nil
	}
	return identity.AgentID{}, fmt.Errorf("%d agents' IDs start with %q: give more characters", len(found), s)
}

func runAgentsScan(ctx context.Context, stdio cmdline.IO, args []string) int {
	const name = prog + " agents scan"
	fs := cmdline.NewFlags("agents scan", stdio)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s --data DIR [--api ADDR] [--timeout 2m] [--json] ID\n\n"+
			"Asks the running collector (its API on loopback, found in DIR/api.addr) to make the agent inventory now,\n"+
			"and waits until the fresh inventory is committed.\n\n", name)
		fs.PrintDefaults()
	}
	data := fs.String("data", "", "collector data `DIR`: where api.addr and the store are")
	storeURL := fs.String("store", "", "PostgreSQL `URL` (to resolve an ID prefix)")
	api := fs.String("api", "", "API `ADDR` of the running collector (default: from DIR/api.addr)")
	timeout := fs.Duration("timeout", 2*time.Minute, "how long to wait for the agent")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	rest, code, ok := parseInterleaved(fs, args)
	if !ok {
		return code
	}
	if len(rest) != 1 {
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "want exactly one agent ID")
	}
	addr := *api
	if addr == "" {
		if *data == "" {
			return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--data DIR or --api ADDR is required")
		}
		b, err := os.ReadFile(filepath.Join(*data, serve.APIAddrFile))
		if err != nil {
			return cmdline.Fail(stdio, name, cmdline.ExitError, "find the running collector's API: %v (is 'ceplus-collector serve --data %s' running? else pass --api)", err, *data)
		}
		addr = strings.TrimSpace(string(b))
	}
	id := rest[0]
	if len(id) != 64 {
		closeStore, st, code := openStore(ctx, stdio, name, *data, *storeURL)
		if closeStore == nil {
			return code
		}
		full, err := resolveAgent(ctx, st, id)
		closeStore()
		if err != nil {
			return cmdline.Fail(stdio, name, cmdline.ExitUsage, "%v", err)
		}
		id = full.String()
	}
	res, err := postScan(ctx, addr, id, *timeout)
	if err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
	}
	if *asJSON {
		if err := cmdline.PrintJSON(stdio.Stdout, res); err != nil {
			return cmdline.Fail(stdio, name, cmdline.ExitError, "write JSON: %v", err)
		}
	} else if res.OK {
		fmt.Fprintf(stdio.Stdout, "agent %s scanned: upload %s, content %s\n", id[:12], res.UploadID, res.ContentHash)
	}
	if !res.OK {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "agent %s could not scan: %s", id[:12], res.Error)
	}
	return cmdline.ExitOK
}

func postScan(ctx context.Context, addr, id string, timeout time.Duration) (*serve.ScanResult, error) {
	u := fmt.Sprintf("http://%s/v1/agents/%s/scan?timeout=%s", addr, id, url.QueryEscape(timeout.String()))
	ctx, cancel := context.WithTimeout(ctx, timeout+10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("ask the collector at %s: %w", addr, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read the collector's answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		if json.Unmarshal(body, &e) == nil && e.Error != "" {
			return nil, fmt.Errorf("collector: %s", e.Error)
		}
		return nil, fmt.Errorf("collector answered %s", resp.Status)
	}
	var res serve.ScanResult
	if err := json.Unmarshal(body, &res); err != nil {
		return nil, fmt.Errorf("collector's answer is not a scan result: %w", err)
	}
	return &res, nil
}
