package daemon

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/ceplus/ceplus/shared/discovery"
	"github.com/ceplus/ceplus/shared/pluginapi"
	"github.com/ceplus/ceplus/shared/wire"
	"github.com/quic-go/quic-go"
)

// DiscoverFunc runs one discovery request through the signed discovery plugin
// (sources.Loader.Discover with the nmap source) and calls progress as it reports.
type DiscoverFunc func(ctx context.Context, req pluginapi.DiscoveryRequest, progress func(discovery.Progress)) (discovery.Result, error)

// maxJobTimeout bounds a job that names no timeout of its own.
const maxJobTimeout = time.Hour

func (d *Daemon) capabilities() []string {
	caps := slices.Clone(d.cfg.Capabilities)
	if d.cfg.Discover != nil {
		caps = append(caps, wire.CapabilityDiscovery)
	}
	return caps
}

func (d *Daemon) setPolicy(p wire.Policy) {
	d.mu.Lock()
	d.policy = p
	d.mu.Unlock()
}

func (d *Daemon) uploadPolicy() wire.Policy {
	d.mu.Lock()
	defer d.mu.Unlock()
	p := d.policy
	if p.MaxChunkBytes <= 0 {
		p.MaxChunkBytes = wire.DefaultLimits.MaxChunkData
	}
	if p.MaxChunks <= 0 {
		p.MaxChunks = wire.DefaultLimits.MaxChunks
	}
	if p.MaxInventoryBytes <= 0 {
		p.MaxInventoryBytes = wire.DefaultLimits.MaxInventory
	}
	return p
}

// discover runs a Discover command: progress frames while the plugin runs, then the result as
// upload chunks, then the CommandResult, all on the command's stream. A Cancel, or the
// collector abandoning the stream, stops the scan.
func (d *Daemon) discover(ctx context.Context, str *quic.Stream, cmd *wire.Command) {
	log := d.log.With("request", cmd.RequestID)
	res := &wire.CommandResult{RequestID: cmd.RequestID}
	var mu sync.Mutex // one writer at a time on the stream
	write := func(m wire.Message) error {
		mu.Lock()
		defer mu.Unlock()
		return wire.WriteFrame(str, m)
	}
	defer func() {
		if err := write(res); err != nil {
			log.Info("could not report the discovery result", "err", wire.Explain(err))
			return
		}
		_ = str.Close()
	}()
	req, err := d.discoveryRequest(cmd.Discovery)
	if err != nil {
		log.Warn("discovery job refused", "err", err)
		res.Error = err.Error()
		return
	}
	log.Info("collector asked for a discovery", "targets", req.Targets, "allowed", req.AllowedPrefixes)
	sctx, cancel := context.WithTimeout(ctx, req.Timeout+time.Minute)
	defer cancel()
	go func() { // a Cancel, or the end of the stream from the collector, stops the scan
		for {
			m, err := wire.ReadFrame(str, wire.DefaultMaxFrame)
			if err != nil {
				if !errors.Is(err, io.EOF) {
					cancel()
				}
				return
			}
			if c, ok := m.(*wire.Command); ok && c.Kind == wire.Cancel && c.RequestID == cmd.RequestID {
				log.Info("collector cancelled the discovery")
				cancel()
				return
			}
		}
	}()
	progress := func(p discovery.Progress) {
		if err := write(&wire.JobProgress{RequestID: cmd.RequestID, Task: p.Task, Percent: p.Percent, Remaining: p.Remaining,
			HostsDone: p.HostsDone, Done: p.Done}); err != nil {
			log.Info("could not report discovery progress; stopping", "err", wire.Explain(err))
			cancel()
		}
	}
	result, err := d.cfg.Discover(sctx, req, progress)
	if errors.Is(err, pluginapi.ErrInvalidRequest) {
		res.Error = err.Error()
		return
	}
	if err != nil {
		res.Error = err.Error()
		log.Warn("discovery failed; sending what it found", "err", err)
	}
	hash, id, err := d.sendResult(cmd.RequestID, result, write)
	if err != nil {
		if res.Error != "" {
			res.Error += "; and "
		}
		res.Error += err.Error()
		return
	}
	res.OK, res.ContentHash, res.UploadID = res.Error == "", hash, id
	log.Info("discovery done", "outcome", result.Run.Outcome, "hosts_up", result.Run.HostsUp, "result", hash)
}

// discoveryRequest turns a job into the plugin's request, refusing one without an allow-list
// or, when the operator set DiscoveryAllow, one whose allow-list reaches beyond it.
func (d *Daemon) discoveryRequest(job *wire.DiscoveryJob) (pluginapi.DiscoveryRequest, error) {
	if d.cfg.Discover == nil {
		return pluginapi.DiscoveryRequest{}, errors.New("this agent does not run discovery jobs: its operator enables them with 'ceplus-agent run --discovery'")
	}
	if job == nil || len(job.AllowedPrefixes) == 0 {
		return pluginapi.DiscoveryRequest{}, errors.New("discovery job without an allow-list refused: the collector sends the assessor's allow-list with every job")
	}
	if len(d.cfg.DiscoveryAllow) > 0 {
		for _, p := range job.AllowedPrefixes {
			if !within(p, d.cfg.DiscoveryAllow) {
				return pluginapi.DiscoveryRequest{}, fmt.Errorf("discovery job refused: allowed prefix %s is outside this agent's --discovery-allow %v: its operator widens that, or the assessor narrows the scanner's allow-list", p, d.cfg.DiscoveryAllow)
			}
		}
	}
	timeout := job.Timeout
	if timeout <= 0 || timeout > maxJobTimeout {
		timeout = maxJobTimeout
	}
	return pluginapi.DiscoveryRequest{Targets: job.Targets, Ports: job.Ports, TopPorts: job.TopPorts, Service: job.Service,
		Intensity: job.Intensity, HostTimeout: job.HostTimeout, Timeout: timeout, AllowedPrefixes: job.AllowedPrefixes,
		Timing: job.Timing, MaxAddresses: job.MaxAddresses}, nil
}

// within reports whether prefix p lies entirely inside one of the prefixes of set.
func within(p netip.Prefix, set []netip.Prefix) bool {
	for _, q := range set {
		if q.Bits() <= p.Bits() && q.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

// sendResult writes the result as the chunks of one upload with the discovery payload and
// returns its content hash (SHA-256 of the JSON) and upload id.
func (d *Daemon) sendResult(requestID string, result discovery.Result, write func(wire.Message) error) (string, wire.UploadID, error) {
	raw, err := json.Marshal(result)
	if err != nil {
		return "", wire.UploadID{}, fmt.Errorf("encode the discovery result: %w", err)
	}
	pol := d.uploadPolicy()
	if int64(len(raw)) > pol.MaxInventoryBytes {
		return "", wire.UploadID{}, fmt.Errorf("the discovery result is %d bytes, the collector accepts at most %d: scan a smaller range per job", len(raw), pol.MaxInventoryBytes)
	}
	codec := d.cfg.Codec
	if !slices.Contains(pol.Codecs, codec) && len(pol.Codecs) > 0 {
		codec = pol.Codecs[0]
	}
	body, err := wire.Compress(codec, raw)
	if err != nil {
		return "", wire.UploadID{}, fmt.Errorf("compress the discovery result: %w", err)
	}
	sum := sha256.Sum256(raw)
	at := result.Run.End
	if at.IsZero() {
		at = d.cfg.Now()
	}
	u := wire.Upload{ID: wire.NewUploadID(), ContentHash: hex.EncodeToString(sum[:]), Codec: codec, RawSize: int64(len(raw)),
		CollectedAt: at, RequestID: requestID, Payload: wire.PayloadDiscovery, Body: body}
	chunks := u.Chunks(pol.MaxChunkBytes)
	if len(chunks) > pol.MaxChunks {
		return "", wire.UploadID{}, fmt.Errorf("the discovery result needs %d chunks, the collector accepts at most %d: scan a smaller range per job", len(chunks), pol.MaxChunks)
	}
	for i := range chunks {
		if err := write(&chunks[i]); err != nil {
			return "", wire.UploadID{}, fmt.Errorf("send the discovery result: %s", wire.Explain(err))
		}
	}
	return u.ContentHash, u.ID, nil
}
