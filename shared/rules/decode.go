package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ceplus/ceplus/shared/calendar"
)

// DecodeCase reads one contract v1 case (shared/contracts/README.md) and checks it. A malformed
// case gives an error naming the field and the value, usually a *FieldError: unknown contract
// number or scheme, missing required field, bad date or time, unknown device type, duplicate device
// id, unknown device in an event, unknown event kind, bad severity, bad time zone. JSON fields the
// contract does not define are accepted and ignored; unknown values of enumerated fields (scheme,
// kind, type, severity, triage, answer) are errors.
func DecodeCase(r io.Reader) (Case, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return Case{}, fmt.Errorf("read case: %w", err)
	}
	var w wireCase
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&w); err != nil {
		return Case{}, jsonError(err, data)
	}
	if dec.More() {
		return Case{}, fmt.Errorf("case: unexpected data after the JSON object at byte %d: give exactly one case", dec.InputOffset())
	}
	return w.toCase()
}

// jsonError turns an encoding/json error into one naming the field or the position.
func jsonError(err error, data []byte) error {
	var typeErr *json.UnmarshalTypeError
	var synErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return fmt.Errorf("case: the case must be a JSON object, got %s", typeErr.Value)
		}
		return &FieldError{Field: typeErr.Field, Value: typeErr.Value, Problem: "wrong JSON type: want " + jsonType(typeErr.Type.String())}
	case errors.As(err, &synErr):
		line := 1 + bytes.Count(data[:min(int(synErr.Offset), len(data))], []byte("\n"))
		return fmt.Errorf("case is not valid JSON (line %d): %v", line, err)
	case errors.Is(err, io.EOF):
		return errors.New("case is empty: want one JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("case is not valid JSON: it ends in the middle of a value (truncated file?)")
	}
	return fmt.Errorf("case: %w", err)
}

func jsonType(goType string) string {
	goType = strings.TrimLeft(goType, "*")
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case strings.HasPrefix(goType, "int"):
		return "an integer"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "string":
		return "a string"
	case goType == "bool":
		return "true or false"
	}
	return "an object"
}

type wireCase struct {
	Contract *int        `json:"contract"`
	Scheme   *string     `json:"scheme"`
	Now      *string     `json:"now"`
	Policy   *wirePolicy `json:"policy"`
	// ceplus
	Devices *[]wireDevice `json:"devices"`
	Events  *[]wireEvent  `json:"events"`
	// eucc
	AttackPotential     *int             `json:"attack_potential"`
	AVAVAN              *int             `json:"ava_van"`
	Confirmed           *string          `json:"confirmed"`
	ActivelyExploited   *bool            `json:"actively_exploited"`
	MutualAgreementDays *int             `json:"mutual_agreement_days"`
	Extensions          *[]wireExtension `json:"extensions"`
	// eiot
	Triage            *string `json:"triage"`
	RiskLevel         *string `json:"risk_level"`
	Notified          *string `json:"notified"`
	VendorDeclinedFix *bool   `json:"vendor_declined_fix"`
}

type wirePolicy struct {
	Timezone     *string   `json:"timezone"`
	Holidays     *[]string `json:"holidays"`
	TestAllTypes []string  `json:"test_all_types"`
}

type wireDevice struct {
	ID    *string `json:"id"`
	Type  *string `json:"type"`
	Build *string `json:"build"`
}

type wireEvent struct {
	At       *string        `json:"at"`
	Kind     *string        `json:"kind"`
	Sample   *int           `json:"sample"`
	Devices  *[]string      `json:"devices"`
	Device   *string        `json:"device"`
	Findings *[]wireFinding `json:"findings"`
	Question *string        `json:"question"`
	Decision *string        `json:"decision"`
}

type wireFinding struct {
	IDs         *[]string     `json:"ids"`
	Package     string        `json:"package"`
	Installed   string        `json:"installed"`
	Fixed       string        `json:"fixed"`
	Severity    *wireSeverity `json:"severity"`
	FixReleased *string       `json:"fix_released"`
	Unsupported bool          `json:"unsupported"`
}

type wireSeverity struct {
	CVSS3  *float64 `json:"cvss3"`
	Vendor *string  `json:"vendor"`
}

type wireExtension struct {
	Requested *string `json:"requested"`
	Days      *int    `json:"days"`
	Answer    *string `json:"answer"`
}

func (w *wireCase) toCase() (Case, error) {
	if w.Contract == nil {
		return Case{}, missing("contract")
	}
	if *w.Contract != Contract {
		return Case{}, fieldErr("contract", *w.Contract, "this engine implements rules contract %d only", Contract)
	}
	if w.Scheme == nil {
		return Case{}, missing("scheme")
	}
	now, err := parseTime("now", w.Now)
	if err != nil {
		return Case{}, err
	}
	cal, err := w.Policy.calendar()
	if err != nil {
		return Case{}, err
	}
	switch Scheme(*w.Scheme) {
	case SchemeCEPlus:
		c, err := w.cePlus(now, cal)
		if err != nil {
			return Case{}, err
		}
		if err := c.Validate(); err != nil {
			return Case{}, err
		}
		return Case{Scheme: SchemeCEPlus, CEPlus: c}, nil
	case SchemeEUCC:
		c, err := w.eucc(now, cal)
		if err != nil {
			return Case{}, err
		}
		if err := c.Validate(); err != nil {
			return Case{}, err
		}
		return Case{Scheme: SchemeEUCC, EUCC: c}, nil
	case SchemeEIoT:
		c, err := w.eiot(now, cal)
		if err != nil {
			return Case{}, err
		}
		if err := c.Validate(); err != nil {
			return Case{}, err
		}
		return Case{Scheme: SchemeEIoT, EIoT: c}, nil
	}
	return Case{}, fieldErr("scheme", *w.Scheme, "unknown scheme: want ceplus, eucc or eiot")
}

func (p *wirePolicy) calendar() (*calendar.Calendar, error) {
	if p == nil {
		return calendar.Default(), nil
	}
	loc := calendar.London()
	if p.Timezone != nil {
		if *p.Timezone == "" {
			return nil, fieldErr("policy.timezone", "", "empty time zone: give an IANA name such as Europe/London, or leave it out")
		}
		l, err := time.LoadLocation(*p.Timezone)
		if err != nil {
			return nil, fieldErr("policy.timezone", *p.Timezone, "unknown time zone: give an IANA name such as Europe/London")
		}
		loc = l
	}
	if p.Holidays == nil {
		return calendar.Default().WithLocation(loc), nil
	}
	dates := make([]calendar.Date, len(*p.Holidays))
	for i, s := range *p.Holidays {
		d, err := calendar.ParseDate(s)
		if err != nil {
			return nil, fieldErr(fmt.Sprintf("policy.holidays[%d]", i), s, "not a date: want YYYY-MM-DD")
		}
		dates[i] = d
	}
	return calendar.New(loc, calendar.FromDates(dates)), nil
}

func (w *wireCase) cePlus(now time.Time, cal *calendar.Calendar) (*CEPlusCase, error) {
	if w.Devices == nil {
		return nil, missing("devices")
	}
	if w.Events == nil {
		return nil, missing("events")
	}
	c := &CEPlusCase{Now: now, Calendar: cal, Devices: make([]Device, len(*w.Devices)), Events: make([]Event, len(*w.Events))}
	if w.Policy != nil {
		c.TestAllTypes = w.Policy.TestAllTypes
	}
	for i, d := range *w.Devices {
		p := fmt.Sprintf("devices[%d]", i)
		switch {
		case d.ID == nil:
			return nil, missing(p + ".id")
		case d.Type == nil:
			return nil, missing(p + ".type")
		case d.Build == nil:
			return nil, missing(p + ".build")
		}
		c.Devices[i] = Device{ID: *d.ID, Type: *d.Type, Build: *d.Build}
	}
	for i, we := range *w.Events {
		e, err := we.event(fmt.Sprintf("events[%d]", i))
		if err != nil {
			return nil, err
		}
		c.Events[i] = e
	}
	return c, nil
}

func (we *wireEvent) event(p string) (Event, error) {
	at, err := parseTime(p+".at", we.At)
	if err != nil {
		return Event{}, err
	}
	if we.Kind == nil {
		return Event{}, missing(p + ".kind")
	}
	e := Event{At: at, Kind: EventKind(*we.Kind)}
	if we.Sample != nil {
		e.Sample = *we.Sample
	}
	if we.Device != nil {
		e.Device = *we.Device
	}
	if we.Devices != nil {
		e.Devices = *we.Devices
	}
	if we.Question != nil {
		e.Question = *we.Question
	}
	if we.Decision != nil {
		e.Decision = *we.Decision
	}
	switch e.Kind {
	case EventSampleDrawn, EventSampleDeclared:
		if we.Sample == nil {
			return Event{}, missing(p + ".sample")
		}
		if we.Devices == nil {
			return Event{}, missing(p + ".devices")
		}
	case EventDeviceTested:
		switch {
		case we.Sample == nil:
			return Event{}, missing(p + ".sample")
		case we.Device == nil:
			return Event{}, missing(p + ".device")
		case we.Findings == nil:
			return Event{}, &FieldError{Field: p + ".findings", Problem: "required field is missing or null: a test with nothing found has \"findings\": []"}
		}
		e.Findings = make([]Finding, len(*we.Findings))
		for j, wf := range *we.Findings {
			f, err := wf.finding(fmt.Sprintf("%s.findings[%d]", p, j))
			if err != nil {
				return Event{}, err
			}
			e.Findings[j] = f
		}
	case EventAssessorDecision:
		if we.Decision == nil {
			return Event{}, missing(p + ".decision")
		}
	}
	return e, nil
}

func (wf *wireFinding) finding(p string) (Finding, error) {
	if wf.IDs == nil {
		return Finding{}, missing(p + ".ids")
	}
	f := Finding{IDs: *wf.IDs, Package: wf.Package, Installed: wf.Installed, Fixed: wf.Fixed, Unsupported: wf.Unsupported}
	if wf.Severity != nil && (wf.Severity.CVSS3 != nil || wf.Severity.Vendor != nil) {
		f.Severity = &Severity{CVSS3: wf.Severity.CVSS3}
		if wf.Severity.Vendor != nil {
			f.Severity.Vendor = strings.ToLower(*wf.Severity.Vendor)
		}
	}
	if wf.FixReleased != nil {
		d, err := calendar.ParseDate(*wf.FixReleased)
		if err != nil {
			return Finding{}, fieldErr(p+".fix_released", *wf.FixReleased, "not a date: want YYYY-MM-DD, or null when no fix is released")
		}
		f.FixReleased = &d
	}
	return f, nil
}

func (w *wireCase) eucc(now time.Time, cal *calendar.Calendar) (*EUCCCase, error) {
	switch {
	case w.AttackPotential == nil:
		return nil, missing("attack_potential")
	case w.AVAVAN == nil:
		return nil, missing("ava_van")
	}
	confirmed, err := parseDate("confirmed", w.Confirmed)
	if err != nil {
		return nil, err
	}
	c := &EUCCCase{Now: now, Calendar: cal, AttackPotential: *w.AttackPotential, AVAVAN: *w.AVAVAN,
		Confirmed: confirmed, MutualAgreementDays: w.MutualAgreementDays}
	if w.ActivelyExploited != nil {
		c.ActivelyExploited = *w.ActivelyExploited
	}
	if w.Extensions != nil {
		for i, we := range *w.Extensions {
			p := fmt.Sprintf("extensions[%d]", i)
			req, err := parseDate(p+".requested", we.Requested)
			if err != nil {
				return nil, err
			}
			if we.Days == nil {
				return nil, missing(p + ".days")
			}
			ext := Extension{Requested: req, Days: *we.Days}
			if we.Answer != nil {
				ext.Answer = ExtensionAnswer(*we.Answer)
			}
			c.Extensions = append(c.Extensions, ext)
		}
	}
	return c, nil
}

func (w *wireCase) eiot(now time.Time, cal *calendar.Calendar) (*EIoTCase, error) {
	c := &EIoTCase{Now: now, Calendar: cal}
	switch {
	case w.Triage != nil:
		c.Triage = Triage(strings.ToLower(*w.Triage))
		if w.RiskLevel != nil {
			if t, ok := TriageForRisk(*w.RiskLevel); ok && t != c.Triage {
				return nil, fieldErr("risk_level", *w.RiskLevel, "gives triage %q but triage is %q: give one of them, or make them agree", t, c.Triage)
			}
		}
	case w.RiskLevel != nil:
		t, ok := TriageForRisk(*w.RiskLevel)
		if !ok {
			return nil, fieldErr("risk_level", *w.RiskLevel, "unknown risk level: want high, substantial, basic or out_of_scope")
		}
		c.Triage = t
	default:
		return nil, missing("triage")
	}
	notified, err := parseTime("notified", w.Notified)
	if err != nil {
		return nil, err
	}
	c.Notified = notified
	if w.VendorDeclinedFix != nil {
		c.VendorDeclinedFix = *w.VendorDeclinedFix
	}
	return c, nil
}

func parseTime(field string, s *string) (time.Time, error) {
	if s == nil {
		return time.Time{}, missing(field)
	}
	t, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		return time.Time{}, fieldErr(field, *s, "not an RFC 3339 time such as 2026-06-01T12:00:00Z")
	}
	return t, nil
}

func parseDate(field string, s *string) (calendar.Date, error) {
	if s == nil {
		return calendar.Date{}, missing(field)
	}
	d, err := calendar.ParseDate(*s)
	if err != nil {
		return calendar.Date{}, fieldErr(field, *s, "not a date: want YYYY-MM-DD")
	}
	return d, nil
}
