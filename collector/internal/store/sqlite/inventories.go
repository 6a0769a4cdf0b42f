package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/identity"
)

// PutInventory implements store.Inventories: the document (unless its content hash is already
// stored) and the upload row commit in one transaction, fsynced before it returns. Concurrent
// uploads share that transaction and its fsync (group commit: group.go).
func (s *Store) PutInventory(ctx context.Context, u store.Upload, at time.Time) (dup bool, err error) {
	u, err = u.Validate(at)
	if err != nil {
		return false, err
	}
	// A retry of a committed upload is answered from a reader, without taking the write lock.
	if dup, err := s.uploadDone(ctx, s.r, u); dup || err != nil {
		return dup, err
	}
	return s.putGrouped(ctx, u, at)
}

// putInTx stores one validated upload in tx.
func (s *Store) putInTx(ctx context.Context, tx *sql.Tx, u store.Upload, at time.Time) (dup bool, err error) {
	op := fmt.Sprintf("store upload %q of agent %s", u.UploadID, u.AgentID)
	if dup, err = s.uploadDone(ctx, tx, u); dup || err != nil {
		return dup, err
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO inventory_docs (content_hash, encoding, body, packages, build, stored_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (content_hash) DO NOTHING`,
		u.ContentHash, u.Encoding, u.Body, u.Packages, u.Build, micros(store.Instant(at))); err != nil {
		return false, s.wrap(op, err)
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO inventory_uploads (agent_id, upload_id, content_hash, hostname, collected_at, received_at, meta)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		u.AgentID.String(), u.UploadID, u.ContentHash, u.Hostname, micros(u.CollectedAt), micros(store.Instant(at)), []byte(u.Meta))
	if isForeignKey(err) {
		return false, fmt.Errorf("%s: agent %w: it must be enrolled first", op, store.ErrNotFound)
	}
	return false, s.wrap(op, err)
}

// uploadDone reports whether the agent already committed this upload id, and refuses one
// that carried different content.
func (s *Store) uploadDone(ctx context.Context, db interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, u store.Upload) (bool, error) {
	var hash string
	err := db.QueryRowContext(ctx, `SELECT content_hash FROM inventory_uploads WHERE agent_id = ? AND upload_id = ?`,
		u.AgentID.String(), u.UploadID).Scan(&hash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, s.wrap("look up upload", err)
	case hash != u.ContentHash:
		return true, fmt.Errorf("upload %q of agent %s was committed with content %s, now sent with %s: %w",
			u.UploadID, u.AgentID, hash, u.ContentHash, store.ErrUploadConflict)
	}
	return true, nil
}

// GetInventory implements store.Inventories.
func (s *Store) GetInventory(ctx context.Context, contentHash string) (store.Document, error) {
	d := store.Document{ContentHash: contentHash}
	err := s.r.QueryRowContext(ctx, `SELECT encoding, body, packages, build FROM inventory_docs WHERE content_hash = ?`,
		contentHash).Scan(&d.Encoding, &d.Body, &d.Packages, &d.Build)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("inventory %s: %w", contentHash, store.ErrNotFound)
	}
	return d, s.wrap(fmt.Sprintf("get inventory %s", contentHash), err)
}

const uploadSelect = `
	SELECT u.upload_id, u.content_hash, d.packages, d.build, u.hostname, u.collected_at, u.received_at, u.meta
	FROM inventory_uploads u JOIN inventory_docs d ON d.content_hash = u.content_hash
	WHERE u.agent_id = ? ORDER BY u.collected_at DESC, u.seq DESC`

func scanUpload(row interface{ Scan(...any) error }) (store.UploadSummary, error) {
	var (
		u                   store.UploadSummary
		collected, received sql.NullInt64
		meta                []byte
	)
	err := row.Scan(&u.UploadID, &u.ContentHash, &u.Packages, &u.Build, &u.Hostname, &collected, &received, &meta)
	u.CollectedAt, u.ReceivedAt, u.Meta = fromMicros(collected), fromMicros(received), meta
	return u, err
}

// LatestInventory implements store.Inventories.
func (s *Store) LatestInventory(ctx context.Context, id identity.AgentID) (store.UploadSummary, error) {
	u, err := scanUpload(s.r.QueryRowContext(ctx, uploadSelect+` LIMIT 1`, id.String()))
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("latest inventory of agent %s: %w: it has uploaded none", id, store.ErrNotFound)
	}
	return u, s.wrap(fmt.Sprintf("latest inventory of agent %s", id), err)
}

// InventoryHistory implements store.Inventories.
func (s *Store) InventoryHistory(ctx context.Context, id identity.AgentID, limit int) ([]store.UploadSummary, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	op := fmt.Sprintf("inventory history of agent %s", id)
	rows, err := s.r.QueryContext(ctx, uploadSelect+` LIMIT ?`, id.String(), limit)
	if err != nil {
		return nil, s.wrap(op, err)
	}
	defer rows.Close()
	var out []store.UploadSummary
	for rows.Next() {
		u, err := scanUpload(rows)
		if err != nil {
			return nil, s.wrap(op, err)
		}
		out = append(out, u)
	}
	return out, s.wrap(op, rows.Err())
}
