-- Foundation schema (SQLite dialect). The PostgreSQL twin is migrations/postgres/ with the
-- same file name; a test compares their tables and columns.
--
-- Conventions: times are BIGINT milliseconds since the Unix epoch (UTC); flags are BIGINT
-- 0/1 (the portable driver carries no booleans from SQLite); enums are TEXT with a CHECK.

-- Facts about this installation (first-run and demo markers).
CREATE TABLE instance (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The organisation tree: the province association at the root, city associations under
-- it, counties below. `path` is the materialised path of ids ("/1/4/"), so "this node and
-- everything under it" is `path LIKE '/1/4/%'` in SQL on both backends.
CREATE TABLE org (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id   BIGINT REFERENCES org (id) ON DELETE RESTRICT,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    short_name  TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('province', 'city', 'county')),
    path        TEXT NOT NULL,
    sort_order  BIGINT NOT NULL DEFAULT 0,
    is_active   BIGINT NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    CONSTRAINT org_code_key UNIQUE (code),
    CONSTRAINT org_parent_id_name_key UNIQUE (parent_id, name)
);
CREATE INDEX org_parent_idx ON org (parent_id);
CREATE INDEX org_path_idx ON org (path);

-- Accounts. Logins are stored normalised (lower-case user name and e-mail; mobile digits
-- only), so uniqueness is plain UNIQUE on both backends.
CREATE TABLE app_user (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    username             TEXT NOT NULL,
    email                TEXT,
    mobile               TEXT,
    display_name         TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    locale               TEXT NOT NULL DEFAULT 'zh-CN' CHECK (locale IN ('zh-CN', 'en')),
    is_active            BIGINT NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    last_sign_in_at      BIGINT,
    password_changed_at  BIGINT NOT NULL,
    CONSTRAINT app_user_username_key UNIQUE (username),
    CONSTRAINT app_user_email_key UNIQUE (email),
    CONSTRAINT app_user_mobile_key UNIQUE (mobile)
);

-- Roles with scope: a user holds a role over an org node and everything under it.
-- Province-wide roles are held over the root.
CREATE TABLE role_grant (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     BIGINT NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('sysadmin', 'secretariat', 'council', 'city_admin', 'member')),
    org_id      BIGINT NOT NULL REFERENCES org (id) ON DELETE RESTRICT,
    granted_by  BIGINT REFERENCES app_user (id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL,
    CONSTRAINT role_grant_user_id_role_org_id_key UNIQUE (user_id, role, org_id)
);
CREATE INDEX role_grant_org_idx ON role_grant (org_id);

-- Server-side sessions, shared by every huiyuan process on the same database. `id` is the
-- SHA-256 of the cookie value, so a copy of this table does not let anyone sign in.
CREATE TABLE session (
    id            TEXT PRIMARY KEY,
    user_id       BIGINT REFERENCES app_user (id) ON DELETE CASCADE,
    csrf_token    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    client_addr   TEXT NOT NULL DEFAULT '',
    user_agent    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX session_user_idx ON session (user_id);
CREATE INDEX session_expires_idx ON session (expires_at);

-- Sign-in attempts, for throttling per account and per address across processes.
-- `login_key` is the normalised login as typed, whether or not such an account exists;
-- `user_id` the account it named, so user name, e-mail and mobile share one count. An
-- attempt is written as failed before the password is checked, so concurrent guesses see
-- each other, and marked succeeded afterwards.
CREATE TABLE login_attempt (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    login_key    TEXT NOT NULL,
    user_id      BIGINT REFERENCES app_user (id) ON DELETE SET NULL,
    client_addr  TEXT NOT NULL,
    succeeded    BIGINT NOT NULL CHECK (succeeded IN (0, 1)),
    at           BIGINT NOT NULL
);
CREATE INDEX login_attempt_key_idx ON login_attempt (login_key, at);
CREATE INDEX login_attempt_addr_idx ON login_attempt (client_addr, at);
CREATE INDEX login_attempt_user_idx ON login_attempt (user_id, at);

-- One-time password reset links; only the SHA-256 of the token is kept.
CREATE TABLE password_reset (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     BIGINT NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT,
    CONSTRAINT password_reset_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX password_reset_user_idx ON password_reset (user_id);

-- Personal API tokens: stored hashed, act with their owner's roles, revocable.
CREATE TABLE api_token (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       BIGINT NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL,
    token_prefix  TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    revoked_at    BIGINT,
    CONSTRAINT api_token_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX api_token_user_idx ON api_token (user_id);

-- The audit log: one row per state change, written in the same transaction as the change.
-- Append-only: the triggers below refuse UPDATE and DELETE whatever the caller.
CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    at             BIGINT NOT NULL,
    actor_user_id  BIGINT,
    actor_name     TEXT NOT NULL,
    action         TEXT NOT NULL,
    target_type    TEXT NOT NULL,
    target_id      TEXT NOT NULL,
    target_label   TEXT NOT NULL,
    org_id         BIGINT,
    before_json    TEXT,
    after_json     TEXT,
    client_addr    TEXT NOT NULL,
    request_id     TEXT NOT NULL
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_user_id, at);
CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id);
CREATE INDEX audit_log_action_idx ON audit_log (action, at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- Uploaded files: metadata here, bytes in the file store under the data directory.
CREATE TABLE stored_file (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    storage_key    TEXT NOT NULL,
    original_name  TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    size_bytes     BIGINT NOT NULL,
    sha256         TEXT NOT NULL,
    uploaded_by    BIGINT REFERENCES app_user (id) ON DELETE SET NULL,
    created_at     BIGINT NOT NULL,
    CONSTRAINT stored_file_storage_key_key UNIQUE (storage_key)
);

-- Notices (通知公告), published by an org (the province for now).
CREATE TABLE notice (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        BIGINT NOT NULL REFERENCES org (id) ON DELETE RESTRICT,
    doc_number    TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('draft', 'published', 'withdrawn')),
    pinned        BIGINT NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
    published_at  BIGINT,
    author_id     BIGINT REFERENCES app_user (id) ON DELETE SET NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX notice_listing_idx ON notice (status, pinned, published_at);

CREATE TABLE notice_attachment (
    notice_id   BIGINT NOT NULL REFERENCES notice (id) ON DELETE CASCADE,
    file_id     BIGINT NOT NULL REFERENCES stored_file (id) ON DELETE RESTRICT,
    sort_order  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (notice_id, file_id)
);

-- Every e-mail huiyuan writes, queued in the same transaction as the action that caused
-- it. The jobs worker sends it over SMTP, or, with no SMTP configured, keeps it here as the
-- local outbox. Nothing is ever deleted: failures stay visible with their last error.
CREATE TABLE mail_message (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    to_address  TEXT NOT NULL,
    to_name     TEXT NOT NULL DEFAULT '',
    subject     TEXT NOT NULL,
    body_text   TEXT NOT NULL,
    body_html   TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'kept', 'failed')),
    attempts    BIGINT NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  BIGINT NOT NULL,
    sent_at     BIGINT
);
CREATE INDEX mail_message_status_idx ON mail_message (status, created_at);

-- Background jobs, processed beside the server by every huiyuan process. A job is claimed
-- by setting `locked_until`; a crashed worker's claim expires and another takes it over.
CREATE TABLE job (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL,
    payload       TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('queued', 'done', 'failed')),
    attempts      BIGINT NOT NULL DEFAULT 0,
    max_attempts  BIGINT NOT NULL,
    run_at        BIGINT NOT NULL,
    locked_until  BIGINT,
    locked_by     TEXT,
    last_error    TEXT,
    created_at    BIGINT NOT NULL,
    finished_at   BIGINT
);
CREATE INDEX job_ready_idx ON job (status, run_at);
