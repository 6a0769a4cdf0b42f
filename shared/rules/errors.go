package rules

import (
	"encoding/json"
	"fmt"
)

// FieldError is a malformed case: the field (a path such as "events[3].findings[0].fix_released"),
// the offending value as JSON (empty when the field is missing) and what is wrong with it.
type FieldError struct {
	Field   string
	Value   string
	Problem string
}

// Error returns "case field F = V: problem", or "case field F: problem" when the value is missing.
func (e *FieldError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("case field %s: %s", e.Field, e.Problem)
	}
	return fmt.Sprintf("case field %s = %s: %s", e.Field, e.Value, e.Problem)
}

// fieldErr returns a FieldError for field with value v (any JSON-encodable value).
func fieldErr(field string, v any, format string, args ...any) *FieldError {
	val, err := json.Marshal(v)
	if err != nil {
		val = []byte(fmt.Sprintf("%v", v))
	}
	return &FieldError{Field: field, Value: string(val), Problem: fmt.Sprintf(format, args...)}
}

// missing returns a FieldError for a required field that is absent or null.
func missing(field string) *FieldError {
	return &FieldError{Field: field, Problem: "required field is missing or null"}
}
