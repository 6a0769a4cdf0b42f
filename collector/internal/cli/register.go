package cli

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/ceplus/ceplus/collector/internal/api"
	"github.com/ceplus/ceplus/collector/internal/register"
	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/ceplus/ceplus/shared/cmdline"
)

const registerProg = prog + " register"

func runRegister(ctx context.Context, stdio cmdline.IO, args []string) int {
	return cmdline.Dispatch(ctx, registerProg, []cmdline.Command{
		{Name: "create", Summary: "record a potential vulnerability of a certified product (receipt)", Run: runRegisterCreate},
		{Name: "show", Summary: "show a record with its deadlines from the rules engine", Run: runRegisterShow},
		{Name: "list", Summary: "list records (--product, --version, --scheme, --open)", Run: runRegisterList},
		{Name: "analyse", Summary: "the impact analysis confirms a possible impact (the clock starts)", Run: runRegisterAnalyse},
		{Name: "exit", Summary: "stop the process: duplicate (--of ORIGINAL), no_security, beyond_assurance_level", Run: runRegisterExit},
		{Name: "update", Summary: "change the TLP label, link ids, record told dependent holders, details, summary", Run: runRegisterUpdate},
		{Name: "eucc", Summary: "record EUCC facts: attack potential, confirmation, active exploitation, mutual agreement", Run: runRegisterEUCC},
		{Name: "extension", Summary: "EUCC extension: 'extension request ID' or 'extension answer ID N'", Run: runRegisterExtension},
		{Name: "eiot", Summary: "record an e-IoT-SCS triage notice (a later one is a re-triage) or --decline-fix", Run: runRegisterEIoT},
		{Name: "done", Summary: "record that a deadline's work was done (--milestone KIND)", Run: runRegisterDone},
		{Name: "report", Summary: "record the delivery of the impact analysis report", Run: runRegisterReport},
		{Name: "close", Summary: "close a record (its 5-year retention starts)", Run: runRegisterClose},
		{Name: "due", Summary: "list the deadlines due or late across the register (--within 14d)", Run: runRegisterDue},
		{Name: "export", Summary: "export a record or a product as JSON or HTML for an audience (redacted beyond the limited distribution)", Run: runRegisterExport},
		{Name: "case", Summary: "write a record's rules contract v1 cases (check them with 'rules evaluate')", Run: runRegisterCase},
		{Name: "delete", Summary: "delete a record whose 5-year retention after closure has ended", Run: runRegisterDelete},
	}, stdio, args)
}

// newRegisterCmd is an API command of the register: --api, --token, --json.
func newRegisterCmd(sub string, stdio cmdline.IO, usage string) *apiCmd {
	c := newAPICmd(sub, stdio, usage)
	c.name = registerProg + " " + sub
	return c
}

// recordPath is the API path of the register record in the first argument plus rest.
func (c *apiCmd) recordPath(rest string) string {
	return "/api/v1/register/" + url.PathEscape(c.args[0]) + rest
}

// whoFlag adds --who, defaulting to CEPLUS_WHO, then the login name.
func whoFlag(fs *flag.FlagSet) *string {
	who := os.Getenv("CEPLUS_WHO")
	if who == "" {
		who = os.Getenv("USER")
	}
	return fs.String("who", who, "`NAME` of the person making the change (env CEPLUS_WHO, default $USER)")
}

// dateFlag is a YYYY-MM-DD flag; nil until set.
type dateFlag struct{ d *calendar.Date }

func (f *dateFlag) String() string {
	if f.d == nil {
		return ""
	}
	return f.d.String()
}

func (f *dateFlag) Set(s string) error {
	d, err := calendar.ParseDate(s)
	if err != nil {
		return err
	}
	f.d = &d
	return nil
}

// timeFlag is an RFC 3339 time flag; nil until set.
type timeFlag struct{ t *time.Time }

func (f *timeFlag) String() string {
	if f.t == nil {
		return ""
	}
	return f.t.Format(time.RFC3339)
}

func (f *timeFlag) Set(s string) error {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("%q is not an RFC 3339 time such as 2026-01-09T10:00:00Z", s)
	}
	f.t = &t
	return nil
}

// optInt is an integer flag that records whether it was given.
type optInt struct{ n *int }

func (f *optInt) String() string {
	if f.n == nil {
		return ""
	}
	return fmt.Sprint(*f.n)
}

func (f *optInt) Set(s string) error {
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		return fmt.Errorf("%q is not a whole number", s)
	}
	f.n = &n
	return nil
}

// optBool is a true/false flag that records whether it was given.
type optBool struct{ b *bool }

func (f *optBool) String() string {
	if f.b == nil {
		return ""
	}
	return fmt.Sprint(*f.b)
}

func (f *optBool) Set(s string) error {
	switch s {
	case "true", "yes":
		v := true
		f.b = &v
	case "false", "no":
		v := false
		f.b = &v
	default:
		return fmt.Errorf("%q: want true or false", s)
	}
	return nil
}

// change sends c to the record in the first argument and prints the record it answers.
func (c *apiCmd) change(ctx context.Context, ch register.Change) int {
	body, err := jsonBody(ch)
	if err != nil {
		return c.fail(err)
	}
	var rec register.Record
	return c.call(ctx, "POST", c.recordPath("/changes"), body, "application/json", &rec, func() {
		printRecord(c.stdio.Stdout, rec, false)
	})
}

// changeCmd runs a change subcommand: flags from setup, one record id, then the change.
func changeCmd(ctx context.Context, stdio cmdline.IO, args []string, sub, usage string, kind register.ChangeKind,
	setup func(c *apiCmd, ch *register.Change) func() error) int {
	c := newRegisterCmd(sub, stdio, "ID "+usage+" [--who NAME] [--note TEXT] [--json]")
	ch := register.Change{Kind: kind}
	who := whoFlag(c.fs)
	c.fs.StringVar(&ch.Note, "note", "", "a `NOTE` kept with the step")
	var finish func() error
	if setup != nil {
		finish = setup(c, &ch)
	}
	if code, ok := c.parse(args, 1); !ok {
		return code
	}
	ch.Who = *who
	if finish != nil {
		if err := finish(); err != nil {
			return cmdline.Fail(stdio, c.name, cmdline.ExitUsage, "%v", err)
		}
	}
	return c.change(ctx, ch)
}

func runRegisterShow(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newRegisterCmd("show", stdio, "ID [--json]")
	if code, ok := c.parse(args, 1); !ok {
		return code
	}
	var rec register.Record
	return c.call(ctx, "GET", c.recordPath(""), nil, "", &rec, func() { printRecord(stdio.Stdout, rec, true) })
}

func runRegisterList(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newRegisterCmd("list", stdio, "[--product P] [--version V] [--scheme eucc|eiot] [--open] [--json]")
	product := c.fs.String("product", "", "only this `PRODUCT`")
	version := c.fs.String("version", "", "only this `VERSION`")
	scheme := c.fs.String("scheme", "", "only this `SCHEME` (eucc or eiot)")
	open := c.fs.Bool("open", false, "only records still open")
	if code, ok := c.parse(args, 0); !ok {
		return code
	}
	q := url.Values{}
	for k, v := range map[string]string{"product": *product, "version": *version, "scheme": *scheme} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if *open {
		q.Set("open", "true")
	}
	var recs []register.Record
	return c.call(ctx, "GET", "/api/v1/register?"+q.Encode(), nil, "", &recs, func() { printRecordList(stdio.Stdout, recs) })
}

func runRegisterDue(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newRegisterCmd("due", stdio, "[--within 14d] [--json]")
	within := c.fs.String("within", "14d", "look-ahead: `DAYS` such as 14d, or a duration such as 36h")
	if code, ok := c.parse(args, 0); !ok {
		return code
	}
	if _, err := register.ParseWithin(*within); err != nil {
		return cmdline.Fail(stdio, c.name, cmdline.ExitUsage, "--within: %v", err)
	}
	var due api.RegisterDue
	return c.call(ctx, "GET", "/api/v1/register/due?within="+url.QueryEscape(*within), nil, "", &due, func() { printDue(stdio.Stdout, due) })
}

func runRegisterCase(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newRegisterCmd("case", stdio, "ID")
	if code, ok := c.parse(args, 1); !ok {
		return code
	}
	*c.asJSON = true
	return c.call(ctx, "GET", c.recordPath("/case"), nil, "", nil, nil)
}

func runRegisterDelete(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newRegisterCmd("delete", stdio, "ID --reason TEXT [--who NAME] [--json]")
	who := whoFlag(c.fs)
	reason := c.fs.String("reason", "", "why the record is deleted (kept in the tombstone)")
	if code, ok := c.parse(args, 1); !ok {
		return code
	}
	body, err := jsonBody(api.RegisterDeleteRequest{Who: *who, Reason: *reason})
	if err != nil {
		return c.fail(err)
	}
	var e api.RegisterErasure
	return c.call(ctx, "DELETE", c.recordPath(""), body, "application/json", &e, func() {
		fmt.Fprintf(stdio.Stdout, "deleted %s: %d events (last hash %s); retention ended %s; tombstone kept\n",
			e.ID, e.Events, e.LastHash, e.RetainedUntil.Format(time.RFC3339))
	})
}

func runRegisterExport(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newRegisterCmd("export", stdio, "ID|--product P [--version V] --audience A [--format json|html] [--tlp LABEL] [-o FILE]")
	product := c.fs.String("product", "", "export every record of this `PRODUCT` instead of one record")
	version := c.fs.String("version", "", "with --product: only this `VERSION`")
	audience := c.fs.String("audience", "", "who it is for: holder, certification_body, national_authority, evaluation_facility (full), dependent_holder, community, public (redacted)")
	format := c.fs.String("format", "json", "`FORMAT`: json or html")
	tlp := c.fs.String("tlp", "", "relabel the export (`LABEL`: RED, AMBER+STRICT, AMBER, GREEN, CLEAR); GREEN and CLEAR are redacted")
	out := c.fs.String("o", "", "write to `FILE` instead of standard output")
	want := 1
	for _, a := range args {
		if strings.HasPrefix(strings.TrimLeft(a, "-"), "product") && strings.HasPrefix(a, "-") {
			want = 0 // a product export takes no record id
		}
	}
	if code, ok := c.parse(args, want); !ok {
		return code
	}
	if *audience == "" {
		return cmdline.Fail(stdio, c.name, cmdline.ExitUsage, "--audience is required: say who the export is for; the means of exploitation are removed beyond the holder, certification body, national authority and evaluation facility")
	}
	q := url.Values{"format": {*format}, "audience": {*audience}}
	if *tlp != "" {
		q.Set("tlp", *tlp)
	}
	path := ""
	if want == 0 {
		q.Set("product", *product)
		if *version != "" {
			q.Set("version", *version)
		}
		path = "/api/v1/register/export?" + q.Encode()
	} else {
		path = c.recordPath("/export?" + q.Encode())
	}
	raw, err := c.client.Raw(ctx, "GET", path, nil, "")
	if err != nil {
		return c.fail(err)
	}
	if *out == "" {
		if _, err := stdio.Stdout.Write(raw); err != nil {
			return cmdline.Fail(stdio, c.name, cmdline.ExitError, "write: %v", err)
		}
		return cmdline.ExitOK
	}
	if err := os.WriteFile(*out, raw, 0o600); err != nil {
		return cmdline.Fail(stdio, c.name, cmdline.ExitError, "write %s: %v", *out, err)
	}
	fmt.Fprintf(stdio.Stderr, "wrote %s (%d bytes)\n", *out, len(raw))
	return cmdline.ExitOK
}
