package cli

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/cmdline"
)

// storeHandle is the store as administrative commands use it.
type storeHandle = store.Store

func runToken(ctx context.Context, stdio cmdline.IO, args []string) int {
	return cmdline.Dispatch(ctx, prog+" token", []cmdline.Command{
		{Name: "create", Summary: "create an enrolment token (shown once, stored hashed)", Run: runTokenCreate},
	}, stdio, args)
}

// newTokenSecret returns a token secret: 32 random bytes, URL-safe base64 with a prefix that
// makes it recognisable in logs and secret scanners.
func newTokenSecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generate token: %w", err)
	}
	return "cpe_" + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func runTokenCreate(ctx context.Context, stdio cmdline.IO, args []string) int {
	const name = prog + " token create"
	fs := cmdline.NewFlags("token create", stdio)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s --data DIR|--store URL [--role enrol|assessor|applicant|viewer] [--uses N] [--expires 24h] [--assessment ID [--device SCOPE_ID]] [--json]\n\n"+
			"Creates an enrolment token (default) or an API token with a role, and prints it once; only its SHA-256 is stored.\n\n", name)
		fs.PrintDefaults()
	}
	data := fs.String("data", "", "collector data `DIR` (SQLite store)")
	storeURL := fs.String("store", "", "PostgreSQL `URL` instead of the SQLite store in --data")
	uses := fs.Int("uses", 1, "how many agents the token may enrol")
	expires := fs.Duration("expires", 24*time.Hour, "how long the token stays valid")
	assessment := fs.String("assessment", "", "bind the agents enrolled with it to this assessment `ID`")
	device := fs.String("device", "", "bind the agent enrolled with it to this scope entry `SCOPE_ID` of --assessment (per-device tokens for 'ceplus-agent once')")
	asJSON := fs.Bool("json", false, "print {\"token\": …} as JSON")
	role := fs.String("role", "enrol", "`ROLE`: enrol (agents), or an API role: assessor, applicant (needs --assessment) or viewer")
	if code, ok := cmdline.ParseFlags(fs, args); !ok {
		return code
	}
	switch {
	case fs.NArg() > 0:
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "unexpected argument %q", fs.Arg(0))
	case *uses < 1:
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--uses %d: want 1 or more", *uses)
	case *expires <= 0:
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--expires %s: want a positive duration such as 24h", *expires)
	case *device != "" && *assessment == "":
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--device %s needs --assessment ID: a scope entry belongs to an assessment", *device)
	case *device != "" && *role != string(store.RoleEnrol):
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "--device binds an agent to a scope entry: it goes with --role enrol only")
	}
	closeStore, st, code := openStore(ctx, stdio, name, *data, *storeURL)
	if closeStore == nil {
		return code
	}
	defer closeStore()
	secret, err := newTokenSecret()
	if err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
	}
	now := time.Now()
	t := store.Token{Hash: store.HashToken(secret), Role: store.RoleEnrol, Uses: *uses, ExpiresAt: now.Add(*expires),
		AssessmentID: *assessment, ScopeEntry: *device, CreatedAt: now}
	if err := tokenRole(fs, *role, *assessment, &t); err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, "%v", err)
	}
	if err := st.PutToken(ctx, t); err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
	}
	expiresAt := store.Instant(t.ExpiresAt).Format(time.RFC3339)
	if *asJSON {
		if err := cmdline.PrintJSON(stdio.Stdout, map[string]any{"token": secret, "role": t.Role, "uses": t.Uses, "expires_at": expiresAt}); err != nil {
			return cmdline.Fail(stdio, name, cmdline.ExitError, "write JSON: %v", err)
		}
		return cmdline.ExitOK
	}
	fmt.Fprintf(stdio.Stdout, "%s\n", secret)
	if t.Role == store.RoleEnrol {
		fmt.Fprintf(stdio.Stderr, "token for %d enrolment(s), valid until %s; it is shown only this once\n", *uses, expiresAt)
	} else {
		fmt.Fprintf(stdio.Stderr, "%s API token, valid until %s; it is shown only this once\n", t.Role, expiresAt)
	}
	return cmdline.ExitOK
}
