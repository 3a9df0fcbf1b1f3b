-- The rest of the review chain: city batches (汇总报送), the secretariat's dossiers
-- (入会档案), standing council meetings (常务理事会) with votes and resolutions, and the
-- members they create with unified numbers (SQLite dialect; the PostgreSQL twin has the
-- same file name).

-- A city's recommendations sent to the province together, with a summary sheet.
CREATE TABLE batch (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        BIGINT NOT NULL REFERENCES org (id) ON DELETE RESTRICT,
    name          TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('open', 'forwarded')),
    note          TEXT NOT NULL DEFAULT '',
    created_by    BIGINT REFERENCES app_user (id) ON DELETE SET NULL,
    created_at    BIGINT NOT NULL,
    forwarded_at  BIGINT,
    CONSTRAINT batch_org_id_name_key UNIQUE (org_id, name)
);

CREATE TABLE batch_item (
    batch_id        BIGINT NOT NULL REFERENCES batch (id) ON DELETE RESTRICT,
    application_id  BIGINT NOT NULL REFERENCES application (id) ON DELETE RESTRICT,
    PRIMARY KEY (batch_id, application_id)
);
CREATE INDEX batch_item_app_idx ON batch_item (application_id);

-- The secretariat's file on one application: the completeness check and the paper copies.
CREATE TABLE dossier (
    application_id   BIGINT PRIMARY KEY REFERENCES application (id) ON DELETE RESTRICT,
    checklist        TEXT NOT NULL DEFAULT '[]',
    copies_expected  BIGINT NOT NULL,
    copies_received  BIGINT NOT NULL DEFAULT 0,
    note             TEXT NOT NULL DEFAULT '',
    updated_by       BIGINT REFERENCES app_user (id) ON DELETE SET NULL,
    updated_at       BIGINT NOT NULL
);

-- A standing council meeting. `council_size` is the number of council members when the
-- meeting was called (the quorum is counted against it).
CREATE TABLE council_meeting (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    held_on            TEXT NOT NULL,
    session            TEXT NOT NULL,
    mode               TEXT NOT NULL CHECK (mode IN ('votes', 'minutes')),
    status             TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    council_size       BIGINT NOT NULL,
    resolution_number  TEXT,
    created_by         BIGINT REFERENCES app_user (id) ON DELETE SET NULL,
    created_at         BIGINT NOT NULL,
    closed_at          BIGINT,
    CONSTRAINT council_meeting_resolution_number_key UNIQUE (resolution_number)
);

CREATE TABLE meeting_attendee (
    meeting_id  BIGINT NOT NULL REFERENCES council_meeting (id) ON DELETE RESTRICT,
    user_id     BIGINT NOT NULL REFERENCES app_user (id) ON DELETE RESTRICT,
    PRIMARY KEY (meeting_id, user_id)
);

-- An application on a meeting's agenda; the counts are the minutes' (offline meetings) or
-- the tally of the votes (online), written when the meeting closes.
CREATE TABLE agenda_item (
    meeting_id      BIGINT NOT NULL REFERENCES council_meeting (id) ON DELETE RESTRICT,
    application_id  BIGINT NOT NULL REFERENCES application (id) ON DELETE RESTRICT,
    approve         BIGINT NOT NULL DEFAULT 0,
    reject          BIGINT NOT NULL DEFAULT 0,
    abstain         BIGINT NOT NULL DEFAULT 0,
    outcome         TEXT CHECK (outcome IN ('approved', 'declined')),
    PRIMARY KEY (meeting_id, application_id)
);
CREATE INDEX agenda_item_app_idx ON agenda_item (application_id);

CREATE TABLE vote (
    meeting_id      BIGINT NOT NULL REFERENCES council_meeting (id) ON DELETE RESTRICT,
    application_id  BIGINT NOT NULL REFERENCES application (id) ON DELETE RESTRICT,
    user_id         BIGINT NOT NULL REFERENCES app_user (id) ON DELETE RESTRICT,
    choice          TEXT NOT NULL CHECK (choice IN ('approve', 'reject', 'abstain')),
    comment         TEXT NOT NULL DEFAULT '',
    at              BIGINT NOT NULL,
    PRIMARY KEY (meeting_id, application_id, user_id)
);

-- Members (会员), created by the council's approval. The number never changes.
CREATE TABLE member (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL CHECK (kind IN ('individual', 'group')),
    number          TEXT NOT NULL,
    name            TEXT NOT NULL,
    category        TEXT NOT NULL,
    org_id          BIGINT REFERENCES org (id) ON DELETE RESTRICT,
    channel         TEXT NOT NULL CHECK (channel IN ('city', 'direct')),
    status          TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'lapsed', 'withdrawn', 'expelled', 'deceased')),
    application_id  BIGINT REFERENCES application (id) ON DELETE RESTRICT,
    user_id         BIGINT REFERENCES app_user (id) ON DELETE SET NULL,
    identity_key    TEXT,
    joined_at       BIGINT NOT NULL,
    resolution      TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    CONSTRAINT member_number_key UNIQUE (number),
    CONSTRAINT member_application_id_key UNIQUE (application_id),
    CONSTRAINT member_identity_key_key UNIQUE (identity_key)
);
CREATE INDEX member_org_idx ON member (org_id, status);

-- Group member ↔ its individual members.
CREATE TABLE member_link (
    group_member_id       BIGINT NOT NULL REFERENCES member (id) ON DELETE RESTRICT,
    individual_member_id  BIGINT NOT NULL REFERENCES member (id) ON DELETE RESTRICT,
    PRIMARY KEY (group_member_id, individual_member_id)
);

-- Gap-free number sequences, one per (unit, class); incremented inside the approving
-- transaction, so a rolled-back approval leaves no gap and two processes never draw the same
-- number (the UNIQUE on member.number backs it up).
CREATE TABLE number_sequence (
    unit   BIGINT NOT NULL,
    class  TEXT NOT NULL,
    next   BIGINT NOT NULL,
    PRIMARY KEY (unit, class)
);
