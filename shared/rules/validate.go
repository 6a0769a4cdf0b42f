package rules

import (
	"fmt"
	"strings"
)

// Validate checks a CE+ case the way DecodeCase does and returns a *FieldError naming the first
// problem: an unknown device type, a duplicate device id, an unknown event kind, a sample other
// than 1 or 2, an event naming a device not in the scope, a finding with no ids or a bad severity.
func (c *CEPlusCase) Validate() error {
	if c.Now.IsZero() {
		return missing("now")
	}
	for i, t := range c.TestAllTypes {
		if !ValidDeviceType(t) {
			return fieldErr(fmt.Sprintf("policy.test_all_types[%d]", i), t, "unknown device type: want one of %s", strings.Join(DeviceTypes, ", "))
		}
	}
	index := make(map[string]int, len(c.Devices))
	for i, d := range c.Devices {
		p := fmt.Sprintf("devices[%d]", i)
		switch {
		case d.ID == "":
			return fieldErr(p+".id", d.ID, "empty device id")
		case !ValidDeviceType(d.Type):
			return fieldErr(p+".type", d.Type, "unknown device type of device %q: want one of %s", d.ID, strings.Join(DeviceTypes, ", "))
		case d.Build == "":
			return fieldErr(p+".build", d.Build, "empty build of device %q: give the build key, such as \"Windows 11 Pro 24H2\"", d.ID)
		}
		if j, dup := index[d.ID]; dup {
			return fieldErr(p+".id", d.ID, "duplicate device id (also devices[%d]): every device appears once", j)
		}
		index[d.ID] = i
	}
	known := func(field, id string) error {
		if _, ok := index[id]; !ok {
			return fieldErr(field, id, "unknown device: not in \"devices\" (the frozen scope); fix the id or add the device to the scope")
		}
		return nil
	}
	for i, e := range c.Events {
		p := fmt.Sprintf("events[%d]", i)
		if e.At.IsZero() {
			return missing(p + ".at")
		}
		switch e.Kind {
		case EventScopeFrozen, EventSample2Refused, EventAssessorDecision:
		case EventSampleDrawn, EventSampleDeclared:
			if e.Sample != 1 && e.Sample != 2 {
				return fieldErr(p+".sample", e.Sample, "no such sample: want 1 or 2")
			}
			if len(e.Devices) == 0 {
				return fieldErr(p+".devices", e.Devices, "a %s event names at least one device", e.Kind)
			}
			for j, id := range e.Devices {
				if err := known(fmt.Sprintf("%s.devices[%d]", p, j), id); err != nil {
					return err
				}
			}
		case EventDeviceTested:
			if e.Sample != 1 && e.Sample != 2 {
				return fieldErr(p+".sample", e.Sample, "no such sample: want 1 or 2")
			}
			if err := known(p+".device", e.Device); err != nil {
				return err
			}
			for j, f := range e.Findings {
				if err := f.validate(fmt.Sprintf("%s.findings[%d]", p, j)); err != nil {
					return err
				}
			}
		default:
			return fieldErr(p+".kind", string(e.Kind), "unknown event kind: want one of scope_frozen, sample_drawn, sample_declared, device_tested, sample2_refused, assessor_decision")
		}
	}
	return nil
}

func (f Finding) validate(p string) error {
	if len(f.IDs) == 0 {
		return fieldErr(p+".ids", f.IDs, "a finding has at least one vulnerability id (CVE, DSA, USN, GHSA, KB…)")
	}
	for k, id := range f.IDs {
		if strings.TrimSpace(id) == "" {
			return fieldErr(fmt.Sprintf("%s.ids[%d]", p, k), id, "empty vulnerability id")
		}
	}
	if s := f.Severity; s != nil {
		if s.Vendor != "" && !validVendorSeverity(s.Vendor) {
			return fieldErr(p+".severity.vendor", s.Vendor, "unknown vendor severity: want one of %s", strings.Join(VendorSeverities, ", "))
		}
		if s.CVSS3 != nil && (*s.CVSS3 < 0 || *s.CVSS3 > 10) {
			return fieldErr(p+".severity.cvss3", *s.CVSS3, "a CVSS v3 base score is between 0 and 10")
		}
	}
	return nil
}

func validVendorSeverity(s string) bool {
	for _, v := range VendorSeverities {
		if v == s {
			return true
		}
	}
	return false
}

// Validate checks an EUCC case and returns a *FieldError naming the first problem.
func (c *EUCCCase) Validate() error {
	switch {
	case c.Now.IsZero():
		return missing("now")
	case c.AttackPotential < 0:
		return fieldErr("attack_potential", c.AttackPotential, "an attack potential is 0 or more")
	case c.AVAVAN < 1 || c.AVAVAN > 5:
		return fieldErr("ava_van", c.AVAVAN, "no such AVA_VAN level: want 1 to 5")
	case c.Confirmed.IsZero():
		return missing("confirmed")
	case c.MutualAgreementDays != nil && *c.MutualAgreementDays < 1:
		return fieldErr("mutual_agreement_days", *c.MutualAgreementDays, "a mutual agreement is 1 day or more; use null when none is recorded")
	}
	for i, e := range c.Extensions {
		p := fmt.Sprintf("extensions[%d]", i)
		switch {
		case e.Requested.IsZero():
			return missing(p + ".requested")
		case e.Days < 1:
			return fieldErr(p+".days", e.Days, "an extension is 1 day or more (the authority grants 60 or 90)")
		case e.Answer != AnswerNone && e.Answer != AnswerGranted && e.Answer != AnswerRefused:
			return fieldErr(p+".answer", string(e.Answer), "unknown answer: want \"granted\", \"refused\" or null (no answer yet)")
		}
	}
	return nil
}

// Validate checks an e-IoT case and returns a *FieldError naming the first problem.
func (c *EIoTCase) Validate() error {
	switch {
	case c.Now.IsZero():
		return missing("now")
	case c.Notified.IsZero():
		return missing("notified")
	}
	switch c.Triage {
	case TriageRed, TriageAmber, TriageGreen, TriageWhite:
		return nil
	}
	return fieldErr("triage", string(c.Triage), "unknown triage: want red, amber, green or white")
}

// TriageForRisk maps an e-IoT-SCS risk level to its triage (RULES.md §3): high → red,
// substantial → amber, basic → green, out_of_scope → white. Case is ignored.
func TriageForRisk(level string) (Triage, bool) {
	switch strings.ReplaceAll(strings.ToLower(strings.TrimSpace(level)), " ", "_") {
	case "high":
		return TriageRed, true
	case "substantial":
		return TriageAmber, true
	case "basic":
		return TriageGreen, true
	case "out_of_scope":
		return TriageWhite, true
	}
	return "", false
}
