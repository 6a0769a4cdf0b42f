package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ceplus/ceplus/collector/internal/api"
	"github.com/ceplus/ceplus/collector/internal/register"
)

// printRecord writes a record for people; full adds the facts, references and history.
func printRecord(w io.Writer, r register.Record, full bool) {
	level := fmt.Sprintf("EUCC AVA_VAN.%d", r.AVAVAN)
	if r.Scheme == register.SchemeEIoT {
		level = "e-IoT-SCS " + r.EIoTLevel
	}
	fmt.Fprintf(w, "%s  %s  %s %s  certificate %s (%s)  status %s\n", r.ID, r.TLP, r.Product, r.Version, r.CertificateID, level, r.Status)
	if full {
		fmt.Fprintf(w, "summary   %s\nsource    %s, received %s\n", r.Summary, r.Source, r.Received.Format(time.RFC3339))
		if len(r.VulnIDs) > 0 {
			fmt.Fprintf(w, "ids       %s\n", strings.Join(r.VulnIDs, ", "))
		}
		if r.Composite {
			var told []string
			for _, h := range r.DependentHolders {
				told = append(told, h.Holder)
			}
			fmt.Fprintf(w, "composite may be affected; told: %s\n", strings.Join(told, ", "))
		}
		if r.ExploitationDetails != "" {
			fmt.Fprintf(w, "exploitation details recorded (%d bytes; limited distribution, see export)\n", len(r.ExploitationDetails))
		}
		if r.Exit != nil {
			fmt.Fprintf(w, "exit      %s %s by %s at %s\n", r.Exit.Reason, r.Exit.DuplicateOf, r.Exit.Who, r.Exit.At.Format(time.RFC3339))
		}
		for _, ref := range r.References {
			fmt.Fprintf(w, "reference %s from %s (%s)\n", ref.RecordID, ref.Source, ref.Summary)
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, d := range r.Deadlines.Items {
		when := "—"
		switch {
		case d.Date != nil:
			when = d.Date.String()
		case d.Due != nil:
			when = d.Due.UTC().Format(time.RFC3339)
		}
		kind := string(d.Kind)
		if d.Extension > 0 {
			kind = fmt.Sprintf("%s #%d", kind, d.Extension)
		}
		if d.Urgent {
			kind += " (URGENT)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", kind, when, strings.ToUpper(d.State), d.Note)
	}
	tw.Flush()
	for _, n := range r.Deadlines.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	if full {
		for _, h := range r.History {
			fmt.Fprintf(w, "  #%d %s %s: %s\n", h.Seq, h.At.Format("2006-01-02 15:04"), h.Who, h.What)
		}
	}
	for _, s := range r.Ignored {
		fmt.Fprintf(w, "  ignored: %s\n", s)
	}
}

func printRecordList(w io.Writer, recs []register.Record) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTLP\tPRODUCT\tVERSION\tCERTIFICATE\tSCHEME\tSTATUS\tSUMMARY")
	for _, r := range recs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.TLP, r.Product, r.Version, r.CertificateID, r.Scheme, r.Status, r.Summary)
	}
	tw.Flush()
}

func printDue(w io.Writer, due api.RegisterDue) {
	if len(due.Items) == 0 {
		fmt.Fprintf(w, "nothing due within %s or late\n", due.Within)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DUE\tSTATE\tKIND\tRECORD\tPRODUCT\tTLP\tSUMMARY")
	for _, it := range due.Items {
		when := it.Due.UTC().Format(time.RFC3339)
		if it.Date != nil {
			when = it.Date.String()
		}
		state := "due"
		if it.Late {
			state = "LATE"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s %s\t%s\t%s\n", when, state, it.Kind, it.RecordID, it.Product, it.Version, it.TLP, it.Summary)
	}
	tw.Flush()
}
