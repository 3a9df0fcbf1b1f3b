-- Membership applications (入会申请) and their review history (SQLite dialect; the
-- PostgreSQL twin has the same file name).

CREATE TABLE application (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL CHECK (kind IN ('individual', 'group')),
    applicant_id  BIGINT NOT NULL REFERENCES app_user (id) ON DELETE RESTRICT,
    -- The city association that reviews it; NULL for province-direct applications (直接吸纳).
    org_id        BIGINT REFERENCES org (id) ON DELETE RESTRICT,
    status        TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'recommended',
                      'rejected', 'withdrawn', 'forwarded', 'sent_back', 'ready', 'on_agenda',
                      'approved', 'not_approved')),
    -- The applicant's or institution's name, for lists and search.
    name          TEXT NOT NULL DEFAULT '',
    -- ID document number (individuals) or credit code (groups), normalised.
    identity_key  TEXT,
    -- kind:identity_key while the application is open, NULL once it is closed: at most one
    -- open application per person and per institution, whatever the race.
    open_key      TEXT,
    category      TEXT NOT NULL DEFAULT '',
    -- The form as JSON (see applications::model); every submission is also kept in
    -- application_version.
    data          TEXT NOT NULL,
    version       BIGINT NOT NULL DEFAULT 0,
    submitted_at  BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    CONSTRAINT application_open_key_key UNIQUE (open_key)
);
CREATE INDEX application_queue_idx ON application (org_id, status, submitted_at);
CREATE INDEX application_applicant_idx ON application (applicant_id);

-- What was handed in at each submission, so a return and resubmission keeps both.
CREATE TABLE application_version (
    application_id  BIGINT NOT NULL REFERENCES application (id) ON DELETE RESTRICT,
    version         BIGINT NOT NULL,
    data            TEXT NOT NULL,
    submitted_at    BIGINT NOT NULL,
    PRIMARY KEY (application_id, version)
);

-- Every step of an application: the timeline the applicant sees and the record staff keep.
CREATE TABLE application_event (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id  BIGINT NOT NULL REFERENCES application (id) ON DELETE RESTRICT,
    at              BIGINT NOT NULL,
    action          TEXT NOT NULL,
    from_status     TEXT NOT NULL,
    to_status       TEXT NOT NULL,
    actor_user_id   BIGINT REFERENCES app_user (id) ON DELETE SET NULL,
    -- The body that acted (a city association, the secretariat), shown to the applicant
    -- instead of the staff member's name; NULL when the applicant acted.
    acting_org_id   BIGINT REFERENCES org (id) ON DELETE SET NULL,
    note            TEXT NOT NULL DEFAULT '',
    -- Checklist ticks and other detail, JSON.
    detail          TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX application_event_app_idx ON application_event (application_id, id);

-- Scans and certificates attached to an application.
CREATE TABLE application_file (
    application_id  BIGINT NOT NULL REFERENCES application (id) ON DELETE RESTRICT,
    file_id         BIGINT NOT NULL REFERENCES stored_file (id) ON DELETE RESTRICT,
    purpose         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (application_id, file_id)
);

-- In-app notifications (消息): one row per message to a person.
CREATE TABLE notification (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     BIGINT NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL DEFAULT '',
    link        TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    read_at     BIGINT
);
CREATE INDEX notification_user_idx ON notification (user_id, read_at, id);
