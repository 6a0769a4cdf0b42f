package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
	"github.com/ceplus/ceplus/shared/identity"
	"github.com/jackc/pgx/v5"
)

// PutInventory implements store.Inventories: the document (unless its content hash is already
// stored) and the upload row commit in one transaction before it returns. Of concurrent
// retries of one upload, the unique (agent, upload id) key lets one insert and makes the
// others duplicates.
func (s *Store) PutInventory(ctx context.Context, u store.Upload, at time.Time) (dup bool, err error) {
	u, err = u.Validate(at)
	if err != nil {
		return false, err
	}
	at = store.Instant(at)
	op := fmt.Sprintf("store upload %q of agent %s", u.UploadID, u.AgentID)
	// A retry of a committed upload is answered without sending the document again.
	if dup, err := s.uploadDone(ctx, s.pool, u); dup || err != nil {
		return dup, err
	}
	err = s.tx(ctx, op, func(tx pgx.Tx) error {
		var have bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM inventory_docs WHERE content_hash = $1)`, u.ContentHash).Scan(&have); err != nil {
			return s.wrap(op, err)
		}
		if !have {
			if _, err := tx.Exec(ctx, `
				INSERT INTO inventory_docs (content_hash, encoding, body, packages, build, stored_at)
				VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (content_hash) DO NOTHING`,
				u.ContentHash, u.Encoding, u.Body, u.Packages, u.Build, at); err != nil {
				return s.wrap(op, err)
			}
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO inventory_uploads (agent_id, upload_id, content_hash, hostname, collected_at, received_at, meta)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (agent_id, upload_id) DO NOTHING`,
			u.AgentID.String(), u.UploadID, u.ContentHash, u.Hostname, u.CollectedAt, at, []byte(u.Meta))
		switch {
		case isForeignKey(err):
			return fmt.Errorf("%s: agent %w: it must be enrolled first", op, store.ErrNotFound)
		case err != nil:
			return s.wrap(op, err)
		case tag.RowsAffected() == 0:
			// A concurrent retry committed it first: nothing of ours may be kept.
			if dup, err = s.uploadDone(ctx, tx, u); err == nil {
				err = errDup
			}
			return err
		}
		return nil
	})
	if errors.Is(err, errDup) {
		return true, nil
	}
	return dup, err
}

// errDup rolls back a transaction that found the upload already committed.
var errDup = errors.New("upload already committed")

// uploadDone reports whether the agent already committed this upload id, and refuses one
// that carried different content.
func (s *Store) uploadDone(ctx context.Context, db interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, u store.Upload) (bool, error) {
	var hash string
	err := db.QueryRow(ctx, `SELECT content_hash FROM inventory_uploads WHERE agent_id = $1 AND upload_id = $2`,
		u.AgentID.String(), u.UploadID).Scan(&hash)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
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
	err := s.pool.QueryRow(ctx, `SELECT encoding, body, packages, build FROM inventory_docs WHERE content_hash = $1`,
		contentHash).Scan(&d.Encoding, &d.Body, &d.Packages, &d.Build)
	if errors.Is(err, pgx.ErrNoRows) {
		return d, fmt.Errorf("inventory %s: %w", contentHash, store.ErrNotFound)
	}
	return d, s.wrap(fmt.Sprintf("get inventory %s", contentHash), err)
}

const uploadSelect = `
	SELECT u.upload_id, u.content_hash, d.packages, d.build, u.hostname, u.collected_at, u.received_at, u.meta
	FROM inventory_uploads u JOIN inventory_docs d ON d.content_hash = u.content_hash
	WHERE u.agent_id = $1 ORDER BY u.collected_at DESC, u.seq DESC`

func scanUpload(row pgx.Row) (store.UploadSummary, error) {
	var (
		u                   store.UploadSummary
		collected, received *time.Time
		meta                []byte
	)
	err := row.Scan(&u.UploadID, &u.ContentHash, &u.Packages, &u.Build, &u.Hostname, &collected, &received, &meta)
	u.CollectedAt, u.ReceivedAt, u.Meta = fromTS(collected), fromTS(received), meta
	return u, err
}

// LatestInventory implements store.Inventories.
func (s *Store) LatestInventory(ctx context.Context, id identity.AgentID) (store.UploadSummary, error) {
	u, err := scanUpload(s.pool.QueryRow(ctx, uploadSelect+` LIMIT 1`, id.String()))
	if errors.Is(err, pgx.ErrNoRows) {
		return u, fmt.Errorf("latest inventory of agent %s: %w: it has uploaded none", id, store.ErrNotFound)
	}
	return u, s.wrap(fmt.Sprintf("latest inventory of agent %s", id), err)
}

// InventoryHistory implements store.Inventories.
func (s *Store) InventoryHistory(ctx context.Context, id identity.AgentID, limit int) ([]store.UploadSummary, error) {
	var lim any // NULL: no limit
	if limit > 0 {
		lim = limit
	}
	op := fmt.Sprintf("inventory history of agent %s", id)
	rows, err := s.pool.Query(ctx, uploadSelect+` LIMIT $2`, id.String(), lim)
	if err != nil {
		return nil, s.wrap(op, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.UploadSummary, error) { return scanUpload(r) })
	return out, s.wrap(op, err)
}
