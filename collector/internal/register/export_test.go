package register

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

const secret = "send a 70000-byte ClientHello to port 4433"

// TestRedaction: the means of exploitation, of the record and of merged duplicates, appear only
// in exports for the limited distribution under a RED or AMBER label, in JSON and in HTML.
func TestRedaction(t *testing.T) {
	backends(t, func(t *testing.T, g *Register) {
		rec := mustCreate(t, g, euccRecord(3))
		n := euccRecord(3)
		n.ExploitationDetails = "second finder: " + secret
		dup := mustCreate(t, g, n)
		mustApply(t, g, dup.ID, Change{Kind: ChangeExit, Reason: ExitDuplicate, DuplicateOf: rec.ID}, t0)
		green := mustCreate(t, g, euccRecord(3))
		mustApply(t, g, green.ID, Change{Kind: ChangeUpdate, TLP: TLPGreen}, t0)
		tests := []struct {
			name     string
			id       string
			o        ExportOptions
			redacted bool
			label    string
		}{
			{"holder, AMBER", rec.ID, ExportOptions{Audience: AudienceHolder}, false, "TLP:AMBER"},
			{"certification body", rec.ID, ExportOptions{Audience: AudienceCertificationBody}, false, "TLP:AMBER"},
			{"national authority", rec.ID, ExportOptions{Audience: AudienceNationalAuthority}, false, "TLP:AMBER"},
			{"evaluation facility, RED", rec.ID, ExportOptions{Audience: AudienceEvaluationFacility, TLP: TLPRed}, false, "TLP:RED"},
			{"dependent holder", rec.ID, ExportOptions{Audience: AudienceDependentHolder}, true, "TLP:AMBER"},
			{"community", rec.ID, ExportOptions{Audience: AudienceCommunity}, true, "TLP:AMBER"},
			{"public", rec.ID, ExportOptions{Audience: AudiencePublic, TLP: TLPClear}, true, "TLP:CLEAR"},
			{"certification body, relabelled GREEN", rec.ID, ExportOptions{Audience: AudienceCertificationBody, TLP: TLPGreen}, true, "TLP:GREEN"},
			{"a TLP:GREEN record, even to the holder", green.ID, ExportOptions{Audience: AudienceHolder}, true, "TLP:GREEN"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				x, err := g.ExportRecord(t.Context(), tt.id, tt.o, t0.Add(time.Hour))
				if err != nil {
					t.Fatal(err)
				}
				var js, html bytes.Buffer
				if err := x.WriteJSON(&js); err != nil {
					t.Fatal(err)
				}
				if err := x.WriteHTML(&html); err != nil {
					t.Fatal(err)
				}
				for format, out := range map[string]string{"JSON": js.String(), "HTML": html.String()} {
					if got := strings.Contains(out, secret); got == tt.redacted {
						t.Errorf("%s export contains the exploitation details: %t, want %t", format, got, !tt.redacted)
					}
					if !strings.Contains(out, tt.label) {
						t.Errorf("%s export does not carry %s", format, tt.label)
					}
				}
				if x.Redacted != tt.redacted {
					t.Errorf("Redacted = %t, want %t", x.Redacted, tt.redacted)
				}
				if tt.redacted && !strings.Contains(html.String(), "removed") {
					t.Error("the HTML does not say the details were removed")
				}
			})
		}
		if _, err := g.ExportRecord(t.Context(), rec.ID, ExportOptions{Audience: "everyone"}, t0); err == nil {
			t.Error("an unknown audience was accepted")
		}
	})
}

func TestExportProductHTML(t *testing.T) {
	backends(t, func(t *testing.T, g *Register) {
		a := mustCreate(t, g, euccRecord(3))
		mustApply(t, g, a.ID, Change{Kind: ChangeEUCC, Confirmed: dayp("2026-01-10"), AttackPotential: ptr(5)}, t0)
		b := euccRecord(3)
		b.TLP, b.Summary = TLPRed, "timing side channel <script>alert(1)</script>"
		mustCreate(t, g, b)
		other := euccRecord(3)
		other.Product = "OtherBox"
		mustCreate(t, g, other)
		x, err := g.ExportProduct(t.Context(), "SecureBox", "2.1", ExportOptions{Audience: AudienceCertificationBody}, t0)
		if err != nil {
			t.Fatal(err)
		}
		if len(x.Records) != 2 || x.TLP != TLPRed {
			t.Fatalf("product export: %d records, %s; want 2 and the most restrictive label RED", len(x.Records), x.TLP)
		}
		var html bytes.Buffer
		if err := x.WriteHTML(&html); err != nil {
			t.Fatal(err)
		}
		out := html.String()
		for _, want := range []string{`class="tlp tlp-red"`, "2026-03-11", "EUCC-DE-2025-0042", "&lt;script&gt;", secret} {
			if !strings.Contains(out, want) {
				t.Errorf("HTML lacks %q", want)
			}
		}
		for _, bad := range []string{"<script>", "http://", "https://", "<link", "@import"} {
			if strings.Contains(out, bad) && !strings.Contains(out, "first.org/tlp") {
				t.Errorf("HTML contains %q (external asset or unescaped input)", bad)
			}
		}
		if strings.Contains(out, "<script>") || strings.Contains(out, "<link") || strings.Contains(out, "src=") {
			t.Error("HTML loads or runs something")
		}
		if _, err := g.ExportProduct(t.Context(), "NoSuch", "", ExportOptions{Audience: AudienceHolder}, t0); err == nil {
			t.Error("export of an unknown product succeeded")
		}
	})
}
