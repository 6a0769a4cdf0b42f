package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ceplus/ceplus/collector/internal/store"
)

// Group commit. SQLite has one writer and synchronous=FULL fsyncs the WAL at every commit, so
// uploads committed one transaction each queue behind one fsync apiece. PutInventory instead
// hands its upload to the store's committer goroutine, which puts every upload waiting at that
// moment (up to maxBatch) into one IMMEDIATE transaction, each in a SAVEPOINT of its own, and
// commits them with one fsync. Nobody waits for a batch to fill: an idle store commits a lone
// upload at once, and uploads that arrive during a commit make up the next batch.
//
//   - Acknowledged means durable, as before: PutInventory returns only after the COMMIT of the
//     transaction holding its upload returned, and reports that commit's error otherwise.
//   - One upload's failure (unknown agent, conflicting content) is rolled back to its savepoint
//     and reported to its caller only; the others still commit.
//   - A failed batch (BEGIN, a savepoint statement or COMMIT failing) commits nothing and every
//     caller in it gets the error: the ingest acknowledges none of them and the agents retry.
//   - Two uploads with the same (agent, upload id) in one batch are serialised by the
//     transaction like two transactions would be: the later one sees the earlier one's row and
//     is a duplicate (or an ErrUploadConflict for other content).
//   - A caller whose ctx ends while its upload waits returns ctx's error; the upload may still
//     be committed (a retry then finds it: dup=true), never acknowledged without the commit.

// maxBatch bounds the uploads of one transaction (and so the work one fsync waits for).
const maxBatch = 64

// putReq is one upload waiting for the committer.
type putReq struct {
	u    store.Upload
	at   time.Time
	dup  bool
	err  error
	done chan struct{}
}

// committer commits the queued uploads in batches until Close.
func (s *Store) committer() {
	defer close(s.committerDone)
	batch := make([]*putReq, 0, maxBatch)
	for {
		select {
		case r := <-s.puts:
			batch = append(batch[:0], r)
		case <-s.closing:
			return
		}
	more:
		for len(batch) < maxBatch {
			select {
			case r := <-s.puts:
				batch = append(batch, r)
			default:
				break more
			}
		}
		s.commitBatch(batch)
		for i, r := range batch {
			close(r.done)
			batch[i] = nil
		}
	}
}

// commitBatch stores the uploads of batch in one transaction, setting each one's result.
func (s *Store) commitBatch(batch []*putReq) {
	// The batch belongs to no single caller: one giving up must not abort the others.
	ctx := context.Background()
	fail := func(err error) {
		for _, r := range batch {
			r.dup, r.err = false, err
		}
	}
	op := fmt.Sprintf("store a batch of %d uploads", len(batch))
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		fail(s.wrap(op, err))
		return
	}
	for i, r := range batch {
		if err := s.putSaved(ctx, tx, i, r); err != nil {
			fail(errors.Join(err, tx.Rollback()))
			return
		}
	}
	if s.testBeforeCommit != nil {
		if err := s.testBeforeCommit(); err != nil {
			fail(errors.Join(s.wrap(op, err), tx.Rollback()))
			return
		}
	}
	if err := tx.Commit(); err != nil {
		fail(s.wrap(op+": commit", err))
		return
	}
	s.testBatches.Add(1)
}

// putSaved stores one upload of the batch inside savepoint i: its own failure is rolled back
// to the savepoint and becomes its result; an error returned fails the whole batch.
func (s *Store) putSaved(ctx context.Context, tx *sql.Tx, i int, r *putReq) error {
	sp := fmt.Sprintf("upload_%d", i)
	if _, err := tx.ExecContext(ctx, "SAVEPOINT "+sp); err != nil {
		return s.wrap("savepoint", err)
	}
	r.dup, r.err = s.putInTx(ctx, tx, r.u, r.at)
	if r.err != nil {
		if _, err := tx.ExecContext(ctx, "ROLLBACK TO "+sp); err != nil {
			return s.wrap("rollback to savepoint", err)
		}
	}
	if _, err := tx.ExecContext(ctx, "RELEASE "+sp); err != nil {
		return s.wrap("release savepoint", err)
	}
	return nil
}

// putGrouped queues u for the committer and waits for the commit of its batch.
func (s *Store) putGrouped(ctx context.Context, u store.Upload, at time.Time) (bool, error) {
	r := &putReq{u: u, at: at, done: make(chan struct{})}
	select {
	case s.puts <- r:
	case <-s.closing:
		return false, fmt.Errorf("store upload %q of agent %s: %s: %w", u.UploadID, u.AgentID, s.path, errClosed)
	case <-ctx.Done():
		return false, ctx.Err()
	}
	select {
	case <-r.done:
		return r.dup, r.err
	case <-s.committerDone: // closed with r still queued (or just committed: a retry finds it)
		return false, fmt.Errorf("store upload %q of agent %s: %s: %w", u.UploadID, u.AgentID, s.path, errClosed)
	case <-ctx.Done():
		return false, fmt.Errorf("store upload %q of agent %s: %w (it may still be committed; a retry finds it)", u.UploadID, u.AgentID, ctx.Err())
	}
}

// errClosed refuses work after Close.
var errClosed = errors.New("store is closed")
