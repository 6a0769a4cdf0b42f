package register

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrInvalid is matched by errors about malformed input (a new record's fields, a duration):
// the caller should fix the input, not retry.
var ErrInvalid = errors.New("invalid register input")

// invalidError marks an error as ErrInvalid without changing its message.
type invalidError struct{ error }

func (invalidError) Is(target error) bool { return target == ErrInvalid }

func (e invalidError) Unwrap() error { return e.error }

// Is makes errors.Is(err, ErrInvalid) true for a *ChangeError: a change that does not fit the
// record is refused input too.
func (e *ChangeError) Is(target error) bool { return target == ErrInvalid }

// ParseWithin reads a look-ahead such as "14d", "36h" or "0": days with a d suffix, or a Go
// duration.
func ParseWithin(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err == nil && n >= 0 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return d, nil
	} else if s == "0" {
		return 0, nil
	}
	return 0, invalidError{fmt.Errorf("within %q: want days such as 14d, or a duration such as 36h", s)}
}
