-- 0001_init: the first schema of the ceplus collector store (SQLite dialect).
-- Times are INTEGER Unix microseconds in UTC; NULL stands for "not set".

CREATE TABLE agents (
    id            TEXT PRIMARY KEY,            -- hex SHA-256 of cert_der
    cert_der      BLOB NOT NULL,
    hostname      TEXT NOT NULL DEFAULT '',
    build         TEXT NOT NULL DEFAULT '',
    os_family     TEXT NOT NULL DEFAULT '',
    os_version    TEXT NOT NULL DEFAULT '',
    machine_id    TEXT NOT NULL DEFAULT '',
    enrolled_at   INTEGER NOT NULL,
    last_seen     INTEGER,
    revoked_at    INTEGER,
    revoke_reason TEXT NOT NULL DEFAULT '',
    assessment_id TEXT,
    scope_entry   TEXT
);
CREATE INDEX agents_assessment ON agents (assessment_id);

CREATE TABLE tokens (
    hash          TEXT PRIMARY KEY,            -- hex SHA-256 of the secret; never the secret
    role          TEXT NOT NULL CHECK (role IN ('enrol', 'assessor', 'applicant', 'viewer')),
    uses          INTEGER NOT NULL CHECK (uses >= -1), -- uses left; -1: unlimited
    expires_at    INTEGER,
    assessment_id TEXT,
    scope_entry   TEXT,
    created_at    INTEGER NOT NULL,
    revoked_at    INTEGER
);

CREATE TABLE inventory_docs (
    content_hash TEXT PRIMARY KEY,
    encoding     TEXT NOT NULL,
    body         BLOB NOT NULL,
    packages     INTEGER NOT NULL,
    build        TEXT NOT NULL DEFAULT '',
    stored_at    INTEGER NOT NULL
);

CREATE TABLE inventory_uploads (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id     TEXT NOT NULL REFERENCES agents (id),
    upload_id    TEXT NOT NULL,
    content_hash TEXT NOT NULL REFERENCES inventory_docs (content_hash),
    hostname     TEXT NOT NULL DEFAULT '',
    collected_at INTEGER NOT NULL,
    received_at  INTEGER NOT NULL,
    meta         BLOB,
    UNIQUE (agent_id, upload_id)
);
CREATE INDEX inventory_uploads_latest ON inventory_uploads (agent_id, collected_at DESC, seq DESC);
CREATE INDEX inventory_uploads_content ON inventory_uploads (content_hash);

CREATE TABLE events (
    stream    TEXT NOT NULL,
    seq       INTEGER NOT NULL CHECK (seq >= 1),
    kind      TEXT NOT NULL,
    at        INTEGER NOT NULL,
    payload   BLOB NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL,
    PRIMARY KEY (stream, seq)
) WITHOUT ROWID;

-- The history is append-only; these guards stop mistakes, VerifyChain catches the rest.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;

CREATE TABLE headers (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('assessment', 'register_record')),
    title        TEXT NOT NULL DEFAULT '',
    organisation TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    settings     BLOB
);
CREATE INDEX headers_kind ON headers (kind, created_at);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
