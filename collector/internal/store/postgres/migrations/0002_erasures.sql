-- 0002_erasures: tombstones of register records erased after their retention period
-- (PostgreSQL). Events stay append-only: a delete passes the guard only for a stream that has a
-- tombstone and no header any more, which is what EraseRecord leaves inside its transaction.

CREATE TABLE erasures (
    id             text PRIMARY KEY,
    kind           text NOT NULL,
    erased_at      timestamptz NOT NULL,
    erased_by      text NOT NULL DEFAULT '',
    reason         text NOT NULL,
    retained_until timestamptz NOT NULL,
    events         bigint NOT NULL,
    last_hash      text NOT NULL DEFAULT ''
);

CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND EXISTS (SELECT 1 FROM erasures WHERE id = OLD.stream)
       AND NOT EXISTS (SELECT 1 FROM headers WHERE id = OLD.stream) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'events are append-only';
END
$$;
