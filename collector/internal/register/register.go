package register

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
)

// Store is the part of the collector's store the register uses.
type Store interface {
	store.Events
	store.Headers
	store.Erasures
}

// Register is the vulnerability-handling register kept in a store. It is safe for concurrent
// use; two changes to one record at the same moment are both stored, and a change that no
// longer fits the state it lands on is listed in Record.Ignored rather than dropped.
type Register struct {
	st Store
}

// New returns the register kept in st.
func New(st Store) *Register { return &Register{st: st} }

// ErrNotRecord reports an ID that names no register record.
var ErrNotRecord = errors.New("no such register record")

// received is the payload of a record's first event.
type received struct {
	Who            string     `json:"who"`
	Record         NewRecord  `json:"record"`
	DeadlinesAfter *Deadlines `json:"deadlines_after,omitempty"`
}

// settings are kept in the record's header for listing without reading the stream.
type settings struct {
	Scheme        Scheme `json:"scheme"`
	Product       string `json:"product"`
	Version       string `json:"version"`
	CertificateID string `json:"certificate_id"`
	TimeZone      string `json:"timezone"`
}

// Create records the receipt of a potential vulnerability, by who at `at`, and returns the new
// record with its deadlines at `at`.
func (g *Register) Create(ctx context.Context, n NewRecord, who string, at time.Time) (Record, error) {
	if err := n.validate(who, at); err != nil {
		return Record{}, err
	}
	if n.ID == "" {
		var b [5]byte
		if _, err := rand.Read(b[:]); err != nil {
			return Record{}, fmt.Errorf("create register record: generate an id: %w", err)
		}
		n.ID = "vr-" + hex.EncodeToString(b[:])
	}
	if n.TLP == "" {
		n.TLP = TLPAmber
	}
	rec := Record{NewRecord: n}
	if err := rec.init(who, at); err != nil {
		return Record{}, err
	}
	snap := rec.evaluate(at)
	payload, err := json.Marshal(received{Who: who, Record: n, DeadlinesAfter: &snap})
	if err != nil {
		return Record{}, fmt.Errorf("create register record %s: encode: %w", n.ID, err)
	}
	set, err := json.Marshal(settings{Scheme: n.Scheme, Product: n.Product, Version: n.Version, CertificateID: n.CertificateID, TimeZone: n.TimeZone})
	if err != nil {
		return Record{}, fmt.Errorf("create register record %s: encode settings: %w", n.ID, err)
	}
	title := fmt.Sprintf("%s %s: %s", n.Product, n.Version, n.Summary)
	if err := g.st.CreateHeader(ctx, store.Header{ID: n.ID, Kind: store.KindRegisterRecord, Title: title,
		Organisation: n.Vendor, CreatedAt: at, Settings: set}); err != nil {
		return Record{}, fmt.Errorf("create register record: %w", err)
	}
	if _, err := g.st.AppendEvent(ctx, n.ID, kindReceived, payload, at); err != nil {
		return Record{}, fmt.Errorf("create register record %s: record the receipt: %w", n.ID, err)
	}
	return g.Get(ctx, n.ID, at)
}

func (n NewRecord) validate(who string, at time.Time) error {
	bad := func(field, format string, args ...any) error {
		return invalidError{fmt.Errorf("new register record: %s: %s", field, fmt.Sprintf(format, args...))}
	}
	req := []struct{ field, value string }{{"who", who}, {"product", n.Product}, {"version", n.Version},
		{"certificate_id", n.CertificateID}, {"source", n.Source}, {"summary", n.Summary}}
	for _, f := range req {
		if strings.TrimSpace(f.value) == "" {
			return bad(f.field, "is empty: it is part of what is recorded on receipt")
		}
	}
	switch {
	case at.IsZero():
		return bad("at", "time is zero: the caller passes the moment of the change")
	case n.Received.IsZero():
		return bad("received", "is missing: when the report was received (RFC 3339)")
	case n.ID != "" && strings.ContainsAny(n.ID, " /?#%\t\n"):
		return bad("id", "%q: use letters, digits, '-', '_' and '.'", n.ID)
	}
	switch n.Scheme {
	case SchemeEUCC:
		if n.AVAVAN < 1 || n.AVAVAN > 5 {
			return bad("ava_van", "%d: an EUCC certificate is at AVA_VAN level 1 to 5", n.AVAVAN)
		}
		if n.EIoTLevel != "" {
			return bad("eiot_level", "is for e-IoT-SCS records; this one is EUCC")
		}
	case SchemeEIoT:
		if n.EIoTLevel != "basic" && n.EIoTLevel != "substantial" {
			return bad("eiot_level", "%q: want basic or substantial", n.EIoTLevel)
		}
		if n.AVAVAN != 0 {
			return bad("ava_van", "is for EUCC records; this one is e-IoT-SCS")
		}
	default:
		return bad("scheme", "%q: want eucc or eiot", n.Scheme)
	}
	if n.TLP != "" {
		if _, err := ParseTLP(string(n.TLP)); err != nil {
			return bad("tlp", "%v", err)
		}
	}
	if n.TimeZone != "" {
		if _, err := time.LoadLocation(n.TimeZone); err != nil {
			return bad("timezone", "%q: %v: use an IANA name such as Europe/London", n.TimeZone, err)
		}
	}
	return nil
}

// init sets the state a record has right after its receipt.
func (r *Record) init(who string, at time.Time) error {
	t, err := ParseTLP(string(r.TLP))
	if err != nil {
		return fmt.Errorf("record %s: %w", r.ID, err)
	}
	r.TLP, r.Status, r.Created = t, StatusReceived, Step{Who: who, At: at}
	r.Received = r.Received.UTC()
	switch r.Scheme {
	case SchemeEUCC:
		r.EUCC = &EUCCFacts{}
	case SchemeEIoT:
		r.EIoT = &EIoTFacts{}
	}
	return nil
}

// Get returns a record with its deadlines at now. The event chain is verified on every read.
func (g *Register) Get(ctx context.Context, id string, now time.Time) (Record, error) {
	rec, err := g.load(ctx, id)
	if err != nil {
		return Record{}, err
	}
	rec.Deadlines = rec.evaluate(now)
	return rec, nil
}

func (g *Register) load(ctx context.Context, id string) (Record, error) {
	h, err := g.st.GetHeader(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Record{}, fmt.Errorf("register record %q: %w: list them with `register list`", id, ErrNotRecord)
	}
	if err != nil {
		return Record{}, fmt.Errorf("register record %q: %w", id, err)
	}
	if h.Kind != store.KindRegisterRecord {
		return Record{}, fmt.Errorf("%q is an %s: %w", id, h.Kind, ErrNotRecord)
	}
	events, err := g.st.ListEvents(ctx, id, 0)
	if err != nil {
		return Record{}, fmt.Errorf("register record %q: %w", id, err)
	}
	if err := store.VerifyEvents(id, events); err != nil {
		return Record{}, err
	}
	return fold(id, events)
}

// fold replays a record's events into its state.
func fold(id string, events []store.Event) (Record, error) {
	if len(events) == 0 || events[0].Kind != kindReceived {
		return Record{}, fmt.Errorf("register record %q has no receipt event: its creation was interrupted; create it again under another id", id)
	}
	var first received
	if err := json.Unmarshal(events[0].Payload, &first); err != nil {
		return Record{}, fmt.Errorf("register record %q: decode receipt event: %w", id, err)
	}
	rec := Record{NewRecord: first.Record}
	if err := rec.init(first.Who, events[0].At); err != nil {
		return Record{}, err
	}
	rec.History = append(rec.History, HistoryEntry{Seq: 1, Kind: kindReceived, Who: first.Who, At: events[0].At,
		What: fmt.Sprintf("received from %s", rec.Source), Hash: events[0].Hash})
	for _, e := range events[1:] {
		var c Change
		if err := json.Unmarshal(e.Payload, &c); err != nil {
			return Record{}, fmt.Errorf("register record %q: decode event %d (%s): %w", id, e.Seq, e.Kind, err)
		}
		c.Kind = ChangeKind(e.Kind)
		if err := rec.apply(c, e.At); err != nil {
			rec.Ignored = append(rec.Ignored, fmt.Sprintf("event %d: %v", e.Seq, err))
			continue
		}
		rec.History = append(rec.History, HistoryEntry{Seq: e.Seq, Kind: e.Kind, Who: c.Who, At: e.At, What: describe(c), Hash: e.Hash})
	}
	return rec, nil
}

// Apply makes change c to record id at `at` and returns the record with its deadlines at `at`.
// The rules engine's answer right after the change is stored with it. A duplicate exit also
// adds the record to its original as a further reference.
func (g *Register) Apply(ctx context.Context, id string, c Change, at time.Time) (Record, error) {
	if at.IsZero() {
		return Record{}, fmt.Errorf("record %s: %s: time is zero: the caller passes the moment of the change", id, c.Kind)
	}
	if c.Kind == ChangeReference {
		return Record{}, &ChangeError{ID: id, Kind: c.Kind, Reason: "references are added by the exit of a duplicate (exit --reason duplicate --of ORIGINAL)"}
	}
	rec, err := g.load(ctx, id)
	if err != nil {
		return Record{}, err
	}
	c.DeadlinesAfter = nil
	if err := rec.apply(c, at); err != nil {
		return Record{}, err
	}
	if c.Kind == ChangeExit && c.Reason == ExitDuplicate {
		if err := g.mergeInto(ctx, rec, c, at); err != nil {
			return Record{}, err
		}
	}
	if err := g.appendChange(ctx, &rec, c, at); err != nil {
		return Record{}, err
	}
	return g.Get(ctx, id, at)
}

// appendChange stores c (already applied to rec) with the engine's answer right after it.
func (g *Register) appendChange(ctx context.Context, rec *Record, c Change, at time.Time) error {
	snap := rec.evaluate(at)
	c.DeadlinesAfter = &snap
	payload, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("record %s: encode %s: %w", rec.ID, c.Kind, err)
	}
	if _, err := g.st.AppendEvent(ctx, rec.ID, string(c.Kind), payload, at); err != nil {
		return fmt.Errorf("record %s: store %s: %w", rec.ID, c.Kind, err)
	}
	return nil
}

// mergeInto adds the duplicate dup to its original as a further reference.
func (g *Register) mergeInto(ctx context.Context, dup Record, c Change, at time.Time) error {
	orig, err := g.load(ctx, c.DuplicateOf)
	if err != nil {
		return fmt.Errorf("record %s: exit as duplicate: the original: %w", dup.ID, err)
	}
	if orig.Exit != nil && orig.Exit.Reason == ExitDuplicate {
		return &ChangeError{ID: dup.ID, Kind: c.Kind, Reason: fmt.Sprintf("%s is itself a duplicate of %s: name that original instead", orig.ID, orig.Exit.DuplicateOf)}
	}
	ref := Change{Kind: ChangeReference, Who: c.Who, Note: c.Note, Reference: &Reference{RecordID: dup.ID, Source: dup.Source,
		Summary: dup.Summary, Received: dup.Received, VulnIDs: dup.VulnIDs, ExploitationDetails: dup.ExploitationDetails}}
	if err := orig.apply(ref, at); err != nil {
		return err
	}
	return g.appendChange(ctx, &orig, ref, at)
}

// Filter selects records for List; empty fields match everything.
type Filter struct {
	Product string `json:"product,omitempty"`
	Version string `json:"version,omitempty"`
	Scheme  Scheme `json:"scheme,omitempty"`
	// OpenOnly leaves out exited and closed records.
	OpenOnly bool `json:"open_only,omitempty"`
}

// List returns the records matching f, oldest first, with their deadlines at now.
func (g *Register) List(ctx context.Context, f Filter, now time.Time) ([]Record, error) {
	hs, err := g.st.ListHeaders(ctx, store.KindRegisterRecord)
	if err != nil {
		return nil, fmt.Errorf("list register records: %w", err)
	}
	out := []Record{}
	for _, h := range hs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var s settings
		if err := json.Unmarshal(h.Settings, &s); err != nil {
			return nil, fmt.Errorf("register record %s: decode header settings: %w", h.ID, err)
		}
		if (f.Product != "" && s.Product != f.Product) || (f.Version != "" && s.Version != f.Version) || (f.Scheme != "" && s.Scheme != f.Scheme) {
			continue
		}
		rec, err := g.Get(ctx, h.ID, now)
		if err != nil {
			return nil, err
		}
		if f.OpenOnly && !rec.Open() {
			continue
		}
		out = append(out, rec)
	}
	return out, nil
}

// describe says what a change did, for the history, never quoting exploitation details.
func describe(c Change) string {
	switch c.Kind {
	case ChangeAnalyse:
		return fmt.Sprintf("impact analysis confirmed a possible impact on %s", c.Confirmed)
	case ChangeExit:
		if c.Reason == ExitDuplicate {
			return fmt.Sprintf("process exit: duplicate of %s", c.DuplicateOf)
		}
		return fmt.Sprintf("process exit: %s", c.Reason)
	case ChangeReference:
		return fmt.Sprintf("further reference merged from duplicate %s", c.Reference.RecordID)
	case ChangeEUCC:
		var parts []string
		if c.Confirmed != nil {
			parts = append(parts, fmt.Sprintf("confirmed %s", c.Confirmed))
		}
		if c.AttackPotential != nil {
			parts = append(parts, fmt.Sprintf("attack potential %d", *c.AttackPotential))
		}
		if c.ActivelyExploited != nil {
			parts = append(parts, fmt.Sprintf("actively exploited: %t", *c.ActivelyExploited))
		}
		if c.MutualAgreementDays != nil {
			parts = append(parts, fmt.Sprintf("mutual agreement of %d days recorded", *c.MutualAgreementDays))
		}
		return "EUCC facts: " + strings.Join(parts, ", ")
	case ChangeExtensionRequest:
		return fmt.Sprintf("extension of %d days requested on %s", c.Days, c.Requested)
	case ChangeExtensionAnswer:
		return fmt.Sprintf("extension %d %s on %s", c.Extension, c.Answer, c.Answered)
	case ChangeTriage:
		t := string(c.Triage)
		if c.RiskLevel != "" {
			t = "risk level " + c.RiskLevel
		}
		return fmt.Sprintf("triage notice (%s) sent %s", t, c.Notified.UTC().Format(time.RFC3339))
	case ChangeDeclineFix:
		return "the vendor declined to fix"
	case ChangeDone:
		return fmt.Sprintf("%s done", c.Milestone)
	case ChangeReport:
		return "impact analysis report delivered"
	case ChangeClose:
		return "closed"
	case ChangeUpdate:
		var parts []string
		if c.TLP != "" {
			parts = append(parts, "TLP set to "+string(c.TLP))
		}
		if len(c.AddVulnIDs) > 0 {
			parts = append(parts, "linked "+strings.Join(c.AddVulnIDs, ", "))
		}
		if len(c.NotifiedHolders) > 0 {
			parts = append(parts, "dependent certificate holders told: "+strings.Join(c.NotifiedHolders, ", "))
		}
		if c.ExploitationDetails != nil {
			parts = append(parts, "exploitation details updated")
		}
		if c.Summary != nil {
			parts = append(parts, "summary updated")
		}
		if c.Composite != nil {
			parts = append(parts, fmt.Sprintf("composite product: %t", *c.Composite))
		}
		slices.Sort(parts)
		return "updated: " + strings.Join(parts, "; ")
	}
	return string(c.Kind)
}
