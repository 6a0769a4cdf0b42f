package register

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/ceplus/ceplus/shared/calendar"
	"github.com/ceplus/ceplus/shared/rules"
)

// contractCase is a contract v1 case (shared/contracts/README.md) for the EUCC and e-IoT schemes.
type contractCase struct {
	Contract            int                 `json:"contract"`
	Scheme              rules.Scheme        `json:"scheme"`
	Now                 string              `json:"now"`
	Policy              contractPolicy      `json:"policy"`
	AttackPotential     *int                `json:"attack_potential,omitempty"`
	AVAVAN              int                 `json:"ava_van,omitempty"`
	Confirmed           *calendar.Date      `json:"confirmed,omitempty"`
	ActivelyExploited   *bool               `json:"actively_exploited,omitempty"`
	MutualAgreementDays *int                `json:"mutual_agreement_days,omitempty"`
	Extensions          []contractExtension `json:"extensions,omitempty"`
	Triage              rules.Triage        `json:"triage,omitempty"`
	Notified            string              `json:"notified,omitempty"`
	VendorDeclinedFix   *bool               `json:"vendor_declined_fix,omitempty"`
}

type contractPolicy struct {
	Timezone string          `json:"timezone"`
	Holidays []calendar.Date `json:"holidays,omitempty"`
}

type contractExtension struct {
	Requested calendar.Date `json:"requested"`
	Days      int           `json:"days"`
	Answer    *string       `json:"answer"`
}

// ContractCases returns the record's rules-engine cases at now as contract v1 JSON, keyed
// "eucc", "eiot" and, for a re-triaged e-IoT record, "eiot_first_notice": feed one to
// `ceplus-collector rules evaluate` to check the register's deadlines.
func (r *Record) ContractCases(now time.Time) (map[string]json.RawMessage, error) {
	cases, err := r.Cases(now)
	if err != nil {
		return nil, err
	}
	pol := contractPolicy{Timezone: calendar.DefaultZone, Holidays: r.Holidays}
	if r.TimeZone != "" {
		pol.Timezone = r.TimeZone
	}
	out := map[string]json.RawMessage{}
	add := func(key string, c contractCase) error {
		c.Contract, c.Now, c.Policy = rules.Contract, now.UTC().Format(time.RFC3339Nano), pol
		b, err := json.Marshal(c)
		if err != nil {
			return fmt.Errorf("record %s: encode the %s case: %w", r.ID, key, err)
		}
		out[key] = b
		return nil
	}
	if k := cases.EUCC; k != nil {
		c := contractCase{Scheme: rules.SchemeEUCC, AttackPotential: &k.AttackPotential, AVAVAN: k.AVAVAN, Confirmed: &k.Confirmed,
			ActivelyExploited: &k.ActivelyExploited, MutualAgreementDays: k.MutualAgreementDays, Extensions: []contractExtension{}}
		for _, x := range k.Extensions {
			e := contractExtension{Requested: x.Requested, Days: x.Days}
			if x.Answer != rules.AnswerNone {
				a := string(x.Answer)
				e.Answer = &a
			}
			c.Extensions = append(c.Extensions, e)
		}
		if err := add("eucc", c); err != nil {
			return nil, err
		}
	}
	eiot := func(key string, k *rules.EIoTCase) error {
		if k == nil {
			return nil
		}
		declined := k.VendorDeclinedFix
		return add(key, contractCase{Scheme: rules.SchemeEIoT, Triage: k.Triage, Notified: k.Notified.UTC().Format(time.RFC3339Nano), VendorDeclinedFix: &declined})
	}
	if err := eiot("eiot", cases.EIoT); err != nil {
		return nil, err
	}
	if err := eiot("eiot_first_notice", cases.EIoTFirstNotice); err != nil {
		return nil, err
	}
	return out, nil
}
