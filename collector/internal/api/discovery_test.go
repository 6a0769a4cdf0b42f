package api

import (
	"net/http"
	"testing"

	"github.com/ceplus/ceplus/collector/internal/assess"
	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/identity"
)

// TestDiscoveryRoles checks who may do what on the discovery routes, and that a job outside
// the scanner's allow-list is refused before the collector looks for a way to send it.
func TestDiscoveryRoles(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		e.setup("asm-1")
		der := []byte("certificate of scanner-1")
		ag := store.Agent{ID: identity.AgentIDFromCert(der), CertDER: der, Hostname: "scanner-1", EnrolledAt: e.clock.Now()}
		if err := e.store.PutAgent(e.ctx, ag); err != nil {
			t.Fatal(err)
		}
		const d = "/api/v1/assessments/asm-1/discovery"
		add := assess.ScannerRequest{Agent: ag.ID.String()[:16], Allow: []string{"127.0.0.0/24"}}
		e.refused(e.viewer, "POST", d+"/scanners", add, http.StatusForbidden, "forbidden_role")
		e.do(e.assessor, "POST", d+"/scanners", add, nil)
		e.refused(e.client(store.RoleApplicant, "asm-2"), "GET", d, nil, http.StatusForbidden, "other_assessment")
		applicant := e.client(store.RoleApplicant, "asm-1")
		var ov assess.DiscoveryOverview
		e.do(applicant, "GET", d, nil, &ov)
		if len(ov.Scanners) != 1 || ov.Scanners[0].Agent != ag.ID.String() || ov.Scanners[0].Allow[0].String() != "127.0.0.0/24" {
			t.Errorf("overview = %+v, want the scanner with its allow-list", ov)
		}
		job := assess.DiscoveryJob{Targets: []string{"127.0.0.1"}}
		e.refused(applicant, "POST", d+"/runs", job, http.StatusForbidden, "forbidden_role")
		e.refused(e.viewer, "POST", d+"/exclusions", assess.ExcludeRequest{Run: "x", Address: "127.0.0.1", Reason: "r"}, http.StatusForbidden, "forbidden_role")
		e.refused(e.assessor, "POST", d+"/runs", assess.DiscoveryJob{Targets: []string{"192.0.2.0/24"}}, http.StatusBadRequest, "target_not_allowed")
		e.refused(e.assessor, "POST", d+"/runs", job, http.StatusServiceUnavailable, "no_runner")
		e.refused(e.viewer, "GET", d+"/runs/latest/reconcile", nil, http.StatusNotFound, "run_not_found")
		e.do(e.assessor, "DELETE", d+"/scanners/"+ag.ID.String()[:8], nil, nil)
		e.refused(e.assessor, "POST", d+"/runs", job, http.StatusConflict, "no_scanner")
	})
}
