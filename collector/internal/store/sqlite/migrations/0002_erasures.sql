-- 0002_erasures: tombstones of register records erased after their retention period (SQLite).
-- Events stay append-only: a delete passes the guard only for a stream that has a tombstone and
-- no header any more, which is what EraseRecord leaves inside its transaction.

CREATE TABLE erasures (
    id             TEXT PRIMARY KEY,
    kind           TEXT NOT NULL,
    erased_at      INTEGER NOT NULL,
    erased_by      TEXT NOT NULL DEFAULT '',
    reason         TEXT NOT NULL,
    retained_until INTEGER NOT NULL,
    events         INTEGER NOT NULL,
    last_hash      TEXT NOT NULL DEFAULT ''
);

DROP TRIGGER events_no_delete;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
WHEN NOT EXISTS (SELECT 1 FROM erasures WHERE id = OLD.stream)
  OR EXISTS (SELECT 1 FROM headers WHERE id = OLD.stream)
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
