-- 0001_init: the first schema of the ceplus collector store (PostgreSQL dialect).
-- Every table lives in the connection's current schema (search_path).

CREATE TABLE agents (
    id            text PRIMARY KEY,            -- hex SHA-256 of cert_der
    cert_der      bytea NOT NULL,
    hostname      text NOT NULL DEFAULT '',
    build         text NOT NULL DEFAULT '',
    os_family     text NOT NULL DEFAULT '',
    os_version    text NOT NULL DEFAULT '',
    machine_id    text NOT NULL DEFAULT '',
    enrolled_at   timestamptz NOT NULL,
    last_seen     timestamptz,
    revoked_at    timestamptz,
    revoke_reason text NOT NULL DEFAULT '',
    assessment_id text,
    scope_entry   text
);
CREATE INDEX agents_assessment ON agents (assessment_id);

CREATE TABLE tokens (
    hash          text PRIMARY KEY,            -- hex SHA-256 of the secret; never the secret
    role          text NOT NULL CHECK (role IN ('enrol', 'assessor', 'applicant', 'viewer')),
    uses          integer NOT NULL CHECK (uses >= -1), -- uses left; -1: unlimited
    expires_at    timestamptz,
    assessment_id text,
    scope_entry   text,
    created_at    timestamptz NOT NULL,
    revoked_at    timestamptz
);

CREATE TABLE inventory_docs (
    content_hash text PRIMARY KEY,
    encoding     text NOT NULL,
    body         bytea NOT NULL,
    packages     integer NOT NULL,
    build        text NOT NULL DEFAULT '',
    stored_at    timestamptz NOT NULL
);

CREATE TABLE inventory_uploads (
    seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agent_id     text NOT NULL REFERENCES agents (id),
    upload_id    text NOT NULL,
    content_hash text NOT NULL REFERENCES inventory_docs (content_hash),
    hostname     text NOT NULL DEFAULT '',
    collected_at timestamptz NOT NULL,
    received_at  timestamptz NOT NULL,
    meta         bytea,
    UNIQUE (agent_id, upload_id)
);
CREATE INDEX inventory_uploads_latest ON inventory_uploads (agent_id, collected_at DESC, seq DESC);
CREATE INDEX inventory_uploads_content ON inventory_uploads (content_hash);

CREATE TABLE events (
    stream    text NOT NULL,
    seq       bigint NOT NULL CHECK (seq >= 1),
    kind      text NOT NULL,
    at        timestamptz NOT NULL,
    payload   bytea NOT NULL,                  -- bytes as appended (not jsonb: it would reformat them)
    prev_hash text NOT NULL,
    hash      text NOT NULL,
    PRIMARY KEY (stream, seq)
);

-- The history is append-only; this guard stops mistakes, VerifyChain catches the rest.
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only';
END
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();

CREATE TABLE headers (
    id           text PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('assessment', 'register_record')),
    title        text NOT NULL DEFAULT '',
    organisation text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    settings     bytea
);
CREATE INDEX headers_kind ON headers (kind, created_at);

CREATE TABLE meta (
    key   text PRIMARY KEY,
    value bytea NOT NULL
);
