package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

var (
	_ store.Locker   = (*Store)(nil)
	_ store.Notifier = (*Store)(nil)
)

// lockConns bounds the connections that hold assessment locks in one process; they come from a
// pool of their own, so that lock holders never starve the store's pool (a holder works
// through it).
const lockConns = 16

// shared is the state of the cross-process features, made on first use.
type shared struct {
	once   sync.Once
	err    error
	locks  *pgxpool.Pool
	prefix string // channel prefix: the schema's, so that deployments in one database stay apart
}

func (s *Store) sharedInit(ctx context.Context) (*shared, error) {
	s.sh.once.Do(func() {
		var schema string
		if err := s.pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
			s.sh.err = s.wrap("read the current schema", err)
			return
		}
		sum := sha256.Sum256([]byte(schema))
		s.sh.prefix = "ceplus_" + hex.EncodeToString(sum[:6]) + "_"
		cfg := s.pool.Config().Copy()
		cfg.MaxConns = lockConns
		cfg.MinConns = 0
		if s.sh.locks, s.sh.err = pgxpool.NewWithConfig(ctx, cfg); s.sh.err != nil {
			s.sh.err = s.wrap("open the lock connections", s.sh.err)
		}
	})
	return &s.sh, s.sh.err
}

// Lock takes the session-level advisory lock (hashtext('ceplus.lock'), hashtext(key)) on a
// connection of the lock pool, held until unlock. A process that dies releases it with its
// connection.
func (s *Store) Lock(ctx context.Context, key string) (func(), error) {
	sh, err := s.sharedInit(ctx)
	if err != nil {
		return nil, err
	}
	conn, err := sh.locks.Acquire(ctx)
	if err != nil {
		return nil, s.wrap("lock "+key, err)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(hashtext('ceplus.lock'), hashtext($1))`, key); err != nil {
		conn.Release()
		return nil, s.wrap("lock "+key, err)
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock(hashtext('ceplus.lock'), hashtext($1))`, key); err != nil {
			// The lock may still be held by this session: close it, which releases the lock.
			_ = conn.Conn().Close(ctx)
		}
		conn.Release()
	}, nil
}

// Notify sends payload with pg_notify on the schema's channel.
func (s *Store) Notify(ctx context.Context, channel string, payload []byte) error {
	sh, err := s.sharedInit(ctx)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, sh.prefix+channel, string(payload))
	return s.wrap("notify "+channel, err)
}

// Listen runs LISTEN on a connection of its own (outside the pools) and delivers the payloads;
// a lost connection is re-established after a second.
func (s *Store) Listen(ctx context.Context, channel string) (<-chan []byte, error) {
	sh, err := s.sharedInit(ctx)
	if err != nil {
		return nil, err
	}
	name := pgx.Identifier{sh.prefix + channel}.Sanitize()
	conn, err := s.listenConn(ctx, name)
	if err != nil {
		return nil, err
	}
	out := make(chan []byte, 64)
	go func() {
		defer close(out)
		for ctx.Err() == nil {
			if conn == nil {
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Second):
				}
				if conn, err = s.listenConn(ctx, name); err != nil {
					slog.Default().Warn("PostgreSQL LISTEN: reconnect failed; retrying", "channel", channel, "err", err)
					continue
				}
			}
			n, err := conn.WaitForNotification(ctx)
			if err != nil {
				_ = conn.Close(context.Background())
				conn = nil
				if ctx.Err() == nil {
					slog.Default().Warn("PostgreSQL LISTEN connection lost; reconnecting", "channel", channel, "err", err)
				}
				continue
			}
			select {
			case out <- []byte(n.Payload):
			case <-ctx.Done():
			}
		}
		if conn != nil {
			_ = conn.Close(context.Background())
		}
	}()
	return out, nil
}

func (s *Store) listenConn(ctx context.Context, name string) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return nil, s.wrap("connect for LISTEN", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+name); err != nil {
		_ = conn.Close(ctx)
		return nil, s.wrap(fmt.Sprintf("LISTEN %s", name), err)
	}
	return conn, nil
}
