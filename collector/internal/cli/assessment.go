package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/ceplus/ceplus/collector/internal/api"
	"github.com/ceplus/ceplus/collector/internal/assess"
	"github.com/ceplus/ceplus/shared/cmdline"
)

const assessmentProg = prog + " assessment"

// defaultAPI is the API address of a collector started with the default --listen-api.
const defaultAPI = "http://" + defaultListenAPI

func runAssessment(ctx context.Context, stdio cmdline.IO, args []string) int {
	return cmdline.Dispatch(ctx, assessmentProg, []cmdline.Command{
		{Name: "create", Summary: "create an assessment (organisation, time zone, holidays, policy, pinned snapshot)", Run: runAssessmentCreate},
		{Name: "list", Summary: "list the assessments this token may see", Run: runAssessmentList},
		{Name: "show", Summary: "show an assessment: scope, samples, tests, refusal, decisions", Run: runAssessmentShow},
		{Name: "devices", Summary: "list the scope devices with their samples and status", Run: runAssessmentDevices},
		{Name: "scope", Summary: "add devices: 'scope import ID FILE.csv' or 'scope add-agents ID --type T'", Run: runAssessmentScope},
		{Name: "freeze", Summary: "freeze the scope (its hash keys the draws)", Run: runAssessmentFreeze},
		{Name: "commit", Summary: "commit to a sample's seed without drawing yet", Run: runAssessmentCommit},
		{Name: "draw", Summary: "draw Sample 1 or 2 (commitment first, then the seed is revealed)", Run: runAssessmentDraw},
		{Name: "declare", Summary: "declare Sample 2 to the applicant", Run: runAssessmentDeclare},
		{Name: "scan", Summary: "scan a sample's devices that have agents, with a progress bar", Run: runAssessmentScan},
		{Name: "import-results", Summary: "import test results (JSON) of devices without an agent", Run: runAssessmentImport},
		{Name: "findings", Summary: "list the latest test of each sampled device with its findings", Run: runAssessmentFindings},
		{Name: "refuse", Summary: "record the applicant's refusal of Sample 2", Run: runAssessmentRefuse},
		{Name: "decide", Summary: "record an assessor decision on a question", Run: runAssessmentDecide},
		{Name: "verdict", Summary: "compute the verdict from the stored history (--record to record it)", Run: runAssessmentVerdict},
		{Name: "verify", Summary: "verify the hash chain and re-run the draws; exit 1 when broken", Run: runAssessmentVerify},
		{Name: "export-case", Summary: "write the rules contract v1 case of an assessment", Run: runAssessmentExport},
		{Name: "scanner", Summary: "mark agents as network scanners with allow-lists: 'scanner add|remove|list'", Run: runAssessmentScanner},
		{Name: "discovery", Summary: "network discovery: 'discovery run|list|show|reconcile|add|exclude|exposure'", Run: runAssessmentDiscovery},
	}, stdio, args)
}

// apiCmd is one assessment subcommand's common state: its flags, the API client and the
// positional arguments.
type apiCmd struct {
	name   string
	stdio  cmdline.IO
	fs     *flag.FlagSet
	asJSON *bool
	base   *string
	token  *string
	args   []string
	client *api.Client
}

func newAPICmd(sub string, stdio cmdline.IO, usage string) *apiCmd {
	c := &apiCmd{name: assessmentProg + " " + sub, stdio: stdio, fs: cmdline.NewFlags(sub, stdio)}
	base := os.Getenv("CEPLUS_API")
	if base == "" {
		base = defaultAPI
	}
	c.base = c.fs.String("api", base, "collector API `URL` (env CEPLUS_API)")
	// The token's default is read after parsing, so that -h never prints the secret.
	c.token = c.fs.String("token", "", "API `TOKEN` (default $CEPLUS_TOKEN; from 'token create --role')")
	c.asJSON = c.fs.Bool("json", false, "print the API's JSON answer")
	c.fs.Usage = func() {
		fmt.Fprintf(c.fs.Output(), "usage: %s %s\n\n", c.name, usage)
		c.fs.PrintDefaults()
	}
	return c
}

// parse parses flags anywhere among the arguments and checks the number of positional ones.
func (c *apiCmd) parse(args []string, positional int) (int, bool) {
	for {
		if code, ok := cmdline.ParseFlags(c.fs, args); !ok {
			return code, false
		}
		rest := c.fs.Args()
		if len(rest) == 0 {
			break
		}
		c.args = append(c.args, rest[0])
		args = rest[1:]
	}
	if len(c.args) != positional {
		c.fs.Usage()
		return cmdline.Fail(c.stdio, c.name, cmdline.ExitUsage, "want %d argument(s), got %d: %q", positional, len(c.args), c.args), false
	}
	if *c.token == "" {
		*c.token = os.Getenv("CEPLUS_TOKEN")
	}
	if *c.token == "" {
		return cmdline.Fail(c.stdio, c.name, cmdline.ExitUsage, "no API token: give --token or set CEPLUS_TOKEN (an assessor creates one with '%s token create --role assessor')", prog), false
	}
	if u, err := url.Parse(*c.base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return cmdline.Fail(c.stdio, c.name, cmdline.ExitUsage, "--api %q: want a URL such as %s", *c.base, defaultAPI), false
	}
	c.client = &api.Client{Base: *c.base, Token: *c.token}
	return cmdline.ExitOK, true
}

// path is the API path of the assessment in the first argument plus rest.
func (c *apiCmd) path(rest string) string {
	return "/api/v1/assessments/" + url.PathEscape(c.args[0]) + rest
}

// fail reports an API or local error; API refusals of bad input exit 2.
func (c *apiCmd) fail(err error) int {
	var ae *api.Error
	if errors.As(err, &ae) {
		code := cmdline.ExitError
		if ae.Status == 400 || ae.Status == 404 || ae.Status == 409 {
			code = cmdline.ExitUsage
		}
		return cmdline.Fail(c.stdio, c.name, code, "%s (%s)", ae.Message, ae.Code)
	}
	return cmdline.Fail(c.stdio, c.name, cmdline.ExitError, "%v", err)
}

// call sends the request and prints the raw JSON answer with --json, or decodes it into out
// and calls human.
func (c *apiCmd) call(ctx context.Context, method, path string, body io.Reader, contentType string, out any, human func()) int {
	var h func() error
	if human != nil {
		h = func() error { human(); return nil }
	}
	return c.callE(ctx, method, path, body, contentType, out, h)
}

// callE is call with a human printer that can fail (a write error).
func (c *apiCmd) callE(ctx context.Context, method, path string, body io.Reader, contentType string, out any, human func() error) int {
	raw, err := c.client.Raw(ctx, method, path, body, contentType)
	if err != nil {
		return c.fail(err)
	}
	if *c.asJSON {
		if _, err := c.stdio.Stdout.Write(raw); err != nil {
			return cmdline.Fail(c.stdio, c.name, cmdline.ExitError, "write: %v", err)
		}
		return cmdline.ExitOK
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return cmdline.Fail(c.stdio, c.name, cmdline.ExitError, "decode the API answer: %v", err)
		}
	}
	if human != nil {
		if err := human(); err != nil {
			return cmdline.Fail(c.stdio, c.name, cmdline.ExitError, "write: %v", err)
		}
	}
	return cmdline.ExitOK
}

// jsonBody encodes v for a request.
func jsonBody(v any) (io.Reader, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return strings.NewReader(string(b)), nil
}

// openInput opens the file a command reads, or gives stdin for "-"; done closes the file.
func openInput(stdin io.Reader, path string) (in io.Reader, done func(), err error) {
	if path == "-" {
		return stdin, func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

func runAssessmentCreate(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newAPICmd("create", stdio, "--org NAME --snapshot HASH|latest [--id ID] [--title T] [--timezone ZONE] [--holidays DATES|FILE] [--test-all-types server,…]")
	req := assess.CreateRequest{}
	c.fs.StringVar(&req.Organisation, "org", "", "applicant organisation `NAME`")
	c.fs.StringVar(&req.Title, "title", "", "assessment `TITLE` (default \"CE+ <org>\")")
	c.fs.StringVar(&req.ID, "id", "", "assessment `ID` (default generated)")
	c.fs.StringVar(&req.Timezone, "timezone", "", "IANA time `ZONE` (default Europe/London)")
	c.fs.StringVar(&req.Snapshot, "snapshot", "", "pinned vulnerability snapshot: `HASH`, a unique prefix, or latest")
	holidays := c.fs.String("holidays", "", "holiday `DATES` (comma-separated YYYY-MM-DD) or a file of dates, one a line; default England and Wales")
	types := c.fs.String("test-all-types", "", "device `TYPES` tested in full, comma-separated (e.g. server)")
	if code, ok := c.parse(args, 0); !ok {
		return code
	}
	req.TestAllTypes = splitList(*types)
	if *holidays != "" {
		hs, err := readHolidays(*holidays)
		if err != nil {
			return cmdline.Fail(stdio, c.name, cmdline.ExitUsage, "--holidays: %v", err)
		}
		req.Holidays = hs
	}
	body, err := jsonBody(req)
	if err != nil {
		return c.fail(err)
	}
	var v api.AssessmentView
	return c.callE(ctx, "POST", "/api/v1/assessments", body, "application/json", &v, func() error {
		fmt.Fprintf(stdio.Stdout, "%s\n", v.ID)
		fmt.Fprintf(stdio.Stderr, "created assessment %s for %s (time zone %s, snapshot %s)\n", v.ID, v.Settings.Organisation, v.Settings.Timezone, v.Settings.Snapshot)
		return nil
	})
}

// readHolidays reads dates from a comma-separated list or, when s names a file, one per line.
func readHolidays(s string) ([]string, error) {
	if b, err := os.ReadFile(s); err == nil {
		var out []string
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				out = append(out, strings.Fields(l)[0])
			}
		}
		return out, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	return splitList(s), nil
}

func runAssessmentList(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newAPICmd("list", stdio, "[--json]")
	if code, ok := c.parse(args, 0); !ok {
		return code
	}
	var list []api.AssessmentSummary
	return c.callE(ctx, "GET", "/api/v1/assessments", nil, "", &list, func() error {
		for _, a := range list {
			fmt.Fprintf(stdio.Stdout, "%s\t%s\t%s\t%s\n", a.ID, a.Organisation, a.Title, a.CreatedAt.Format("2006-01-02 15:04"))
		}
		return nil
	})
}
