package cli

import (
	"flag"
	"fmt"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
)

// apiTokenExpiry is how long an API token stays valid when --expires is not given.
const apiTokenExpiry = 90 * 24 * time.Hour

// tokenRole checks `token create --role` and adapts the token to it: API tokens (assessor,
// applicant, viewer) have unlimited uses and, unless --expires was given, last 90 days; an
// applicant token must name its assessment.
func tokenRole(fs *flag.FlagSet, role, assessment string, t *store.Token) error {
	r := store.Role(role)
	if !r.Valid() {
		return fmt.Errorf("--role %q: want enrol (agents), assessor, applicant or viewer", role)
	}
	t.Role = r
	if r == store.RoleEnrol {
		return nil
	}
	if r == store.RoleApplicant && assessment == "" {
		return fmt.Errorf("--role applicant needs --assessment ID: an applicant sees only its own assessment")
	}
	t.Uses = store.Unlimited
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "expires" || f.Name == "uses" })
	if !given {
		t.ExpiresAt = t.CreatedAt.Add(apiTokenExpiry)
	}
	return nil
}
