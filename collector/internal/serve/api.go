package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/ceplus/ceplus/collector/internal/api"
	"github.com/ceplus/ceplus/collector/internal/ingest"
	"github.com/ceplus/ceplus/collector/internal/web"
	"github.com/ceplus/ceplus/shared/identity"
)

// ScanResult is the JSON answer of POST /v1/agents/{id}/scan.
type ScanResult struct {
	Agent       string `json:"agent"`
	RequestID   string `json:"request_id"`
	OK          bool   `json:"ok"`
	Error       string `json:"error,omitempty"`
	UploadID    string `json:"upload_id,omitempty"`
	ContentHash string `json:"content_hash,omitempty"`
}

// serveAPI serves the HTTP API listener until ctx ends. Later issues add the assessor API and
// its authentication; until then the only action, scan, answers loopback clients only.
func (c *Collector) serveAPI(ctx context.Context, ln net.Listener) error {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "agents_connected": len(c.ingest.Connected())})
	})
	mux.HandleFunc("POST /v1/agents/{id}/scan", c.apiScan)
	if c.cfg.Pprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	}
	apiHandler := c.assessAPI()
	mux.Handle(api.Prefix, apiHandler)
	ui, err := web.New(web.Deps{API: apiHandler, Store: c.store, Now: c.now, Log: c.log})
	if err != nil {
		return err
	}
	mux.Handle("/", ui) // the web UI under /ui/, over the same API handler (package web)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return ctx }}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("API listener: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("stop the API listener: %w", err)
	}
	return nil
}

func (c *Collector) apiScan(w http.ResponseWriter, r *http.Request) {
	if !fromLoopback(r) {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "scan requests are accepted from loopback only until the API has authentication"})
		return
	}
	id, err := identity.ParseAgentID(r.PathValue("id"))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	timeout := 2 * time.Minute
	if s := r.URL.Query().Get("timeout"); s != "" {
		if timeout, err = time.ParseDuration(s); err != nil || timeout <= 0 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("timeout %q: want a positive duration such as 90s", s)})
			return
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	res, err := c.scanNow(ctx, id)
	switch {
	case errors.Is(err, ingest.ErrNotConnected):
		writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
		return
	case errors.Is(err, context.DeadlineExceeded):
		writeJSON(w, http.StatusGatewayTimeout, map[string]string{"error": err.Error()})
		return
	case err != nil:
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": err.Error()})
		return
	}
	out := ScanResult{Agent: id.String(), RequestID: res.RequestID, OK: res.OK, Error: res.Error, ContentHash: res.ContentHash}
	if !res.UploadID.IsZero() {
		out.UploadID = res.UploadID.String()
	}
	writeJSON(w, http.StatusOK, out)
}

func fromLoopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	ip := net.ParseIP(host)
	return err == nil && ip != nil && ip.IsLoopback()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away: nothing left to tell it
}
