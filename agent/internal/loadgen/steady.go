package loadgen

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"sync/atomic"
	"time"

	"github.com/ceplus/ceplus/shared/inventory"
	"github.com/ceplus/ceplus/shared/wire"
	"github.com/quic-go/quic-go"
)

// countingConn counts the UDP payload bytes of one agent's socket.
type countingConn struct {
	net.PacketConn
	n atomic.Int64
}

func (c *countingConn) ReadFrom(p []byte) (int, net.Addr, error) {
	n, a, err := c.PacketConn.ReadFrom(p)
	c.n.Add(int64(n))
	return n, a, err
}

func (c *countingConn) WriteTo(p []byte, a net.Addr) (int, error) {
	n, err := c.PacketConn.WriteTo(p, a)
	c.n.Add(int64(n))
	return n, err
}

// steadyState measures, on one agent's own socket, the bytes (both directions, UDP payload) of
// a connection with hello and welcome, one changed 2,000-package upload, one heartbeat and one
// keep-alive, and extrapolates a day: one reconnection, one changed inventory, a heartbeat
// every 5 minutes and a keep-alive every wire.KeepAlivePeriod.
func steadyState(ctx context.Context, cfg Config, pool *x509.CertPool, cert tls.Certificate) (int64, string, error) {
	udp, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return 0, "", err
	}
	cc := &countingConn{PacketConn: udp}
	tr := &quic.Transport{Conn: cc}
	defer tr.Close()
	qc := wire.QUICConfig(8)
	const probe = time.Second
	qc.KeepAlivePeriod = probe // only to measure one keep-alive exchange quickly
	tc := &tls.Config{MinVersion: tls.VersionTLS13, NextProtos: []string{wire.ALPN}, ServerName: wire.ServerName,
		RootCAs: pool, Certificates: []tls.Certificate{cert}}
	ua, err := net.ResolveUDPAddr("udp", cfg.Collector)
	if err != nil {
		return 0, "", err
	}
	dial := func(ctx context.Context, _ string, tc *tls.Config, _ *quic.Config) (*quic.Conn, error) {
		return tr.Dial(ctx, ua, tc, qc)
	}
	conn, _, err := connect(ctx, dial, cfg.Collector, tc)
	if err != nil {
		return 0, "", fmt.Errorf("steady-state probe: %w", err)
	}
	defer conn.CloseWithError(0, "")
	settle := func() { time.Sleep(300 * time.Millisecond) } // let acknowledgements cross
	time.Sleep(3 * time.Second)                             // path MTU discovery runs after the handshake: count it with the connection
	connectB := cc.n.Load()

	ups, err := prepare(1, cfg.Packages)
	if err != nil {
		return 0, "", err
	}
	b0 := cc.n.Load()
	if err := upload(ctx, conn, ups[0]); err != nil {
		return 0, "", fmt.Errorf("steady-state probe upload: %w", err)
	}
	settle()
	uploadB := cc.n.Load() - b0

	// keep-alives alone first, then the same span with a heartbeat in each keep-alive period
	const periods = 8
	b0 = cc.n.Load()
	time.Sleep(periods * probe)
	keepaliveB := (cc.n.Load() - b0) / periods
	b0 = cc.n.Load()
	for range periods {
		str, err := conn.OpenStreamSync(ctx)
		if err == nil {
			err = wire.WriteFrame(str, &wire.Heartbeat{Time: time.Now()})
		}
		if err != nil {
			return 0, "", err
		}
		_ = str.Close()
		str.CancelRead(0)
		time.Sleep(probe)
	}
	heartbeatB := max((cc.n.Load()-b0)/periods-keepaliveB, 0)

	perDay := int64(24 * time.Hour / wire.KeepAlivePeriod)
	hb := int64(24 * time.Hour / (5 * time.Minute))
	total := connectB + uploadB + hb*heartbeatB + perDay*keepaliveB
	return total, fmt.Sprintf("connect+hello %d B + 1 changed inventory %d B + %d heartbeats × %d B + %d keep-alives × %d B",
		connectB, uploadB, hb, heartbeatB, perDay, keepaliveB), nil
}

// prepare builds n uploads of distinct inventories with the given number of packages.
func prepare(n, packages int) ([]*wire.Upload, error) {
	ups := make([]*wire.Upload, n)
	err := parallel(context.Background(), n, 2, func(i int) error {
		inv := inventory.Inventory{
			Schema: inventory.SchemaVersion, CollectedAt: time.Now().UTC(),
			Device: inventory.Device{Hostname: "sim", OSFamily: inventory.FamilyDebian,
				OSName: "Debian GNU/Linux", OSVersion: "12.7", Kernel: "6.1.0-26-amd64", Arch: "amd64", Ecosystem: "Debian:12", Build: "Debian 12"},
			Packages:       make([]inventory.Package, packages),
			PendingUpdates: []inventory.PendingUpdate{},
			Sources:        []inventory.SourceStatus{{Name: "dpkg", Version: "1", Status: inventory.Succeeded, DurationMS: 180}},
		}
		for k := range inv.Packages {
			v := fmt.Sprintf("%d.%d.%d-%d+deb12u%d", k%9, k%17, i, k%5, k%3)
			inv.Packages[k] = inventory.Package{Name: fmt.Sprintf("lib%s-%04d", []string{"ssl", "xml2", "gnutls", "curl", "krb5"}[k%5], k),
				Version: v, SourceName: fmt.Sprintf("src-%04d", k/3), SourceVersion: v, Ecosystem: "Debian:12", Arch: "amd64"}
		}
		inv.Normalize() // as inventory.Merge leaves a real agent's inventory
		raw, err := json.Marshal(&inv)
		if err != nil {
			return err
		}
		body, err := wire.Compress(wire.CodecGzip, raw)
		if err != nil {
			return err
		}
		ups[i] = &wire.Upload{ID: wire.NewUploadID(), ContentHash: inv.ContentHash(), Codec: wire.CodecGzip, RawSize: int64(len(raw)),
			CollectedAt: inv.CollectedAt, Body: body}
		return nil
	})
	return ups, err
}
