package rules

import "fmt"

// Evaluate validates c and returns the answer of its scheme: a CEPlusVerdict, an EUCCVerdict or
// an EIoTVerdict. The error is a *FieldError for a malformed case.
func Evaluate(c Case) (any, error) {
	switch c.Scheme {
	case SchemeCEPlus:
		if c.CEPlus == nil {
			return nil, fmt.Errorf("case: scheme %q without its CE+ case", c.Scheme)
		}
		if err := c.CEPlus.Validate(); err != nil {
			return nil, err
		}
		return EvaluateCEPlus(*c.CEPlus), nil
	case SchemeEUCC:
		if c.EUCC == nil {
			return nil, fmt.Errorf("case: scheme %q without its EUCC case", c.Scheme)
		}
		if err := c.EUCC.Validate(); err != nil {
			return nil, err
		}
		return EvaluateEUCC(*c.EUCC), nil
	case SchemeEIoT:
		if c.EIoT == nil {
			return nil, fmt.Errorf("case: scheme %q without its e-IoT case", c.Scheme)
		}
		if err := c.EIoT.Validate(); err != nil {
			return nil, err
		}
		return EvaluateEIoT(*c.EIoT), nil
	}
	return nil, fieldErr("scheme", string(c.Scheme), "unknown scheme: want ceplus, eucc or eiot")
}
