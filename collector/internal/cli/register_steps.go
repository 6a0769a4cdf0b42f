package cli

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/ceplus/ceplus/collector/internal/api"
	"github.com/ceplus/ceplus/collector/internal/register"
	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/ceplus/ceplus/shared/cmdline"
	"github.com/ceplus/ceplus/shared/rules"
)

func runRegisterCreate(ctx context.Context, stdio cmdline.IO, args []string) int {
	c := newRegisterCmd("create", stdio, "--product P --version V --cert ID --scheme eucc --ava-van N|--scheme eiot --eiot-level L --source S --summary TEXT [--received TIME] [flags]")
	var n register.NewRecord
	c.fs.StringVar(&n.ID, "id", "", "record `ID` (default generated)")
	c.fs.StringVar(&n.Product, "product", "", "certified `PRODUCT`")
	c.fs.StringVar(&n.Version, "version", "", "product `VERSION`")
	c.fs.StringVar(&n.Vendor, "vendor", "", "certificate holder `NAME`")
	c.fs.StringVar(&n.CertificateID, "cert", "", "certificate `ID`")
	scheme := c.fs.String("scheme", "", "`SCHEME`: eucc or eiot")
	c.fs.IntVar(&n.AVAVAN, "ava-van", 0, "EUCC certificate's AVA_VAN `LEVEL` (1–5)")
	c.fs.StringVar(&n.EIoTLevel, "eiot-level", "", "e-IoT-SCS certificate `LEVEL`: basic or substantial")
	c.fs.StringVar(&n.Source, "source", "", "who or what reported it")
	c.fs.StringVar(&n.Summary, "summary", "", "summary of what was received, without the means of exploitation")
	received := &timeFlag{}
	c.fs.Var(received, "received", "when it was received (RFC 3339; default now)")
	c.fs.BoolVar(&n.Composite, "composite", false, "a composite product may be affected")
	vulns := c.fs.String("vuln", "", "linked vulnerability `IDS`, comma-separated (CVE-…)")
	tlp := c.fs.String("tlp", "", "TLP `LABEL` (default AMBER; e-IoT: set by the triage)")
	details := c.fs.String("exploitation", "", "means of exploitation `TEXT` (kept apart, redacted beyond the limited distribution)")
	detailsFile := c.fs.String("exploitation-file", "", "read the means of exploitation from `FILE`")
	c.fs.StringVar(&n.TimeZone, "timezone", "", "IANA time `ZONE` the deadlines are counted in (default Europe/London)")
	holidays := c.fs.String("holidays", "", "holiday `DATES` (comma-separated) or a file of dates; default England and Wales")
	who := whoFlag(c.fs)
	if code, ok := c.parse(args, 0); !ok {
		return code
	}
	n.Scheme, n.TLP, n.VulnIDs, n.ExploitationDetails = register.Scheme(*scheme), register.TLP(*tlp), splitList(*vulns), *details
	n.Received = time.Now()
	if received.t != nil {
		n.Received = *received.t
	}
	if *detailsFile != "" {
		b, err := os.ReadFile(*detailsFile)
		if err != nil {
			return cmdline.Fail(stdio, c.name, cmdline.ExitUsage, "--exploitation-file: %v", err)
		}
		n.ExploitationDetails = string(b)
	}
	if *holidays != "" {
		list, err := readHolidays(*holidays)
		if err != nil {
			return cmdline.Fail(stdio, c.name, cmdline.ExitUsage, "--holidays: %v", err)
		}
		for _, s := range list {
			d, err := calendar.ParseDate(s)
			if err != nil {
				return cmdline.Fail(stdio, c.name, cmdline.ExitUsage, "--holidays: %v", err)
			}
			n.Holidays = append(n.Holidays, d)
		}
	}
	body, err := jsonBody(api.RegisterCreateRequest{Who: *who, Record: n})
	if err != nil {
		return c.fail(err)
	}
	var rec register.Record
	return c.call(ctx, "POST", "/api/v1/register", body, "application/json", &rec, func() {
		fmt.Fprintf(stdio.Stdout, "%s\n", rec.ID)
		fmt.Fprintf(stdio.Stderr, "recorded %s: %s %s, certificate %s (%s), %s\n", rec.ID, rec.Product, rec.Version, rec.CertificateID, rec.Scheme, rec.TLP)
	})
}

func runRegisterAnalyse(ctx context.Context, stdio cmdline.IO, args []string) int {
	return changeCmd(ctx, stdio, args, "analyse", "--confirmed DATE", register.ChangeAnalyse, func(c *apiCmd, ch *register.Change) func() error {
		d := &dateFlag{}
		c.fs.Var(d, "confirmed", "`DATE` (YYYY-MM-DD) the analysis confirmed a possible impact on conformity: the clock starts")
		return func() error { ch.Confirmed = d.d; return nil }
	})
}

func runRegisterExit(ctx context.Context, stdio cmdline.IO, args []string) int {
	return changeCmd(ctx, stdio, args, "exit", "--reason duplicate --of ORIGINAL|no_security|beyond_assurance_level", register.ChangeExit, func(c *apiCmd, ch *register.Change) func() error {
		reason := c.fs.String("reason", "", "`REASON`: duplicate, no_security or beyond_assurance_level")
		c.fs.StringVar(&ch.DuplicateOf, "of", "", "with duplicate: the `ORIGINAL` record, which gets this one as a further reference")
		return func() error { ch.Reason = register.ExitReason(*reason); return nil }
	})
}

func runRegisterUpdate(ctx context.Context, stdio cmdline.IO, args []string) int {
	return changeCmd(ctx, stdio, args, "update", "[--tlp L] [--vuln IDS] [--told HOLDERS] [--exploitation TEXT|--exploitation-file F] [--summary TEXT] [--composite true|false]", register.ChangeUpdate,
		func(c *apiCmd, ch *register.Change) func() error {
			tlp := c.fs.String("tlp", "", "new TLP `LABEL`")
			vulns := c.fs.String("vuln", "", "link vulnerability `IDS`, comma-separated")
			told := c.fs.String("told", "", "dependent certificate `HOLDERS` told now, comma-separated")
			details := c.fs.String("exploitation", "", "replace the means of exploitation with `TEXT`")
			detailsFile := c.fs.String("exploitation-file", "", "replace the means of exploitation with `FILE`'s content")
			summary := c.fs.String("summary", "", "replace the summary")
			composite := &optBool{}
			c.fs.Var(composite, "composite", "a composite product may be affected (true or false)")
			return func() error {
				ch.TLP, ch.AddVulnIDs, ch.NotifiedHolders, ch.Composite = register.TLP(*tlp), splitList(*vulns), splitList(*told), composite.b
				if *details != "" {
					ch.ExploitationDetails = details
				}
				if *detailsFile != "" {
					b, err := os.ReadFile(*detailsFile)
					if err != nil {
						return fmt.Errorf("--exploitation-file: %w", err)
					}
					s := string(b)
					ch.ExploitationDetails = &s
				}
				if *summary != "" {
					ch.Summary = summary
				}
				return nil
			}
		})
}

func runRegisterEUCC(ctx context.Context, stdio cmdline.IO, args []string) int {
	return changeCmd(ctx, stdio, args, "eucc", "[--attack-potential N] [--confirmed DATE] [--exploited true|false] [--mutual-agreement DAYS]", register.ChangeEUCC,
		func(c *apiCmd, ch *register.Change) func() error {
			pot, agree, expl, conf := &optInt{}, &optInt{}, &optBool{}, &dateFlag{}
			c.fs.Var(pot, "attack-potential", "ISO/IEC 18045 B.6 attack `POTENTIAL`")
			c.fs.Var(conf, "confirmed", "`DATE` the impact analysis confirmed a possible impact")
			c.fs.Var(expl, "exploited", "actively exploited (true or false): urgent")
			c.fs.Var(agree, "mutual-agreement", "`DAYS` agreed with the certification body")
			return func() error {
				ch.AttackPotential, ch.MutualAgreementDays, ch.ActivelyExploited, ch.Confirmed = pot.n, agree.n, expl.b, conf.d
				return nil
			}
		})
}

func runRegisterExtension(ctx context.Context, stdio cmdline.IO, args []string) int {
	return cmdline.Dispatch(ctx, registerProg+" extension", []cmdline.Command{
		{Name: "request", Summary: "record a request to the national authority (with the draft report)", Run: func(ctx context.Context, stdio cmdline.IO, args []string) int {
			return changeCmd(ctx, stdio, args, "extension request", "--requested DATE --days 60|90", register.ChangeExtensionRequest, func(c *apiCmd, ch *register.Change) func() error {
				d := &dateFlag{}
				c.fs.Var(d, "requested", "`DATE` the request was sent")
				c.fs.IntVar(&ch.Days, "days", 0, "extra `DAYS` asked for (the authority grants 60 or 90)")
				return func() error { ch.Requested = d.d; return nil }
			})
		}},
		{Name: "answer", Summary: "record the authority's answer: 'answer ID N --answer granted|refused --answered DATE'", Run: func(ctx context.Context, stdio cmdline.IO, args []string) int {
			return changeCmd(ctx, stdio, args, "extension answer", "--extension N --answer granted|refused --answered DATE", register.ChangeExtensionAnswer, func(c *apiCmd, ch *register.Change) func() error {
				d := &dateFlag{}
				c.fs.IntVar(&ch.Extension, "extension", 0, "request `N` (1 for the first)")
				answer := c.fs.String("answer", "", "granted or refused")
				c.fs.Var(d, "answered", "`DATE` of the answer")
				return func() error { ch.Answer, ch.Answered = rules.ExtensionAnswer(*answer), d.d; return nil }
			})
		}},
	}, stdio, args)
}

func runRegisterEIoT(ctx context.Context, stdio cmdline.IO, args []string) int {
	declined := false
	for _, a := range args {
		declined = declined || a == "--decline-fix" || a == "-decline-fix"
	}
	if declined {
		return changeCmd(ctx, stdio, args, "eiot", "--decline-fix", register.ChangeDeclineFix, func(c *apiCmd, ch *register.Change) func() error {
			c.fs.Bool("decline-fix", false, "the vendor decided not to fix: the certificate is revoked 48 h after the permanent-mitigation deadline")
			return nil
		})
	}
	return changeCmd(ctx, stdio, args, "eiot", "--triage red|amber|green|white|--risk-level L --notified TIME [--tlp L] | --decline-fix", register.ChangeTriage,
		func(c *apiCmd, ch *register.Change) func() error {
			triage := c.fs.String("triage", "", "triage `COLOUR`: red, amber, green or white")
			c.fs.StringVar(&ch.RiskLevel, "risk-level", "", "or the risk `LEVEL`: high, substantial, basic, out_of_scope")
			n := &timeFlag{}
			c.fs.Var(n, "notified", "`TIME` the notice was sent (RFC 3339)")
			tlp := c.fs.String("tlp", "", "TLP `LABEL` (default the triage's colour)")
			c.fs.Bool("decline-fix", false, "the vendor decided not to fix (alone)")
			return func() error {
				ch.Triage, ch.Notified, ch.TLP = rules.Triage(*triage), n.t, register.TLP(*tlp)
				return nil
			}
		})
}

func runRegisterDone(ctx context.Context, stdio cmdline.IO, args []string) int {
	return changeCmd(ctx, stdio, args, "done", "--milestone temporary_mitigation|permanent_mitigation|risk_calculation|vendor_response [--done TIME]", register.ChangeDone,
		func(c *apiCmd, ch *register.Change) func() error {
			m := c.fs.String("milestone", "", "the deadline `KIND` whose work was done")
			d := &timeFlag{}
			c.fs.Var(d, "done", "`TIME` it was done (default now)")
			return func() error { ch.Milestone, ch.Done = register.DeadlineKind(*m), d.t; return nil }
		})
}

func runRegisterReport(ctx context.Context, stdio cmdline.IO, args []string) int {
	return changeCmd(ctx, stdio, args, "report", "[--done TIME]", register.ChangeReport, func(c *apiCmd, ch *register.Change) func() error {
		d := &timeFlag{}
		c.fs.Var(d, "done", "`TIME` the report was delivered (default now)")
		return func() error { ch.Done = d.t; return nil }
	})
}

func runRegisterClose(ctx context.Context, stdio cmdline.IO, args []string) int {
	return changeCmd(ctx, stdio, args, "close", "", register.ChangeClose, nil)
}
