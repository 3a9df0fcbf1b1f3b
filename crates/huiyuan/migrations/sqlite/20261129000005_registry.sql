-- The registry (会员名册): each member's record details, copied from the application at
-- approval and kept current by corrections; what list pages show and search.
ALTER TABLE member ADD COLUMN gender TEXT NOT NULL DEFAULT '';
ALTER TABLE member ADD COLUMN birth_date TEXT NOT NULL DEFAULT '';
-- The full document number (ID card, passport…; for groups the credit code). Shown masked
-- to everyone who does not need it.
ALTER TABLE member ADD COLUMN id_number TEXT NOT NULL DEFAULT '';
ALTER TABLE member ADD COLUMN mobile TEXT NOT NULL DEFAULT '';
ALTER TABLE member ADD COLUMN email TEXT NOT NULL DEFAULT '';
-- Individuals: employer (工作单位); groups: the contact person (联系人).
ALTER TABLE member ADD COLUMN employer TEXT NOT NULL DEFAULT '';
-- Full pinyin of the name (default readings), for sorting by name.
ALTER TABLE member ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
CREATE INDEX member_number_org_idx ON member (org_id, number);
CREATE INDEX member_name_key_idx ON member (name_key, id);
CREATE INDEX member_joined_idx ON member (joined_at);

-- Search terms: what users type to find a member (name characters and pairs, pinyin and
-- initials, number, mobile and its last four digits, employer pairs). Trigram indexes do not
-- help with two-character Chinese names, so both databases use this table. The filters a
-- search combines with are copied in, so a search is answered from this one index.
CREATE TABLE member_term (
    term       TEXT NOT NULL,
    member_id  BIGINT NOT NULL REFERENCES member (id) ON DELETE CASCADE,
    org_id     BIGINT,
    category   TEXT NOT NULL,
    status     TEXT NOT NULL,
    kind       TEXT NOT NULL,
    PRIMARY KEY (term, member_id)
) WITHOUT ROWID;
CREATE INDEX member_term_member_idx ON member_term (member_id);

-- What happened to a member: joined, category and status changes (with the reason and who
-- decided), corrections, certificates. The record's history page reads this.
CREATE TABLE member_event (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id   BIGINT NOT NULL REFERENCES member (id) ON DELETE RESTRICT,
    kind        TEXT NOT NULL CHECK (kind IN ('joined', 'category', 'status', 'correction', 'certificate', 'merge', 'import')),
    from_value  TEXT NOT NULL DEFAULT '',
    to_value    TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    actor_id    BIGINT REFERENCES app_user (id) ON DELETE SET NULL,
    actor_name  TEXT NOT NULL DEFAULT '',
    at          BIGINT NOT NULL
);
CREATE INDEX member_event_member_idx ON member_event (member_id, id);

-- Membership periods (会籍期间): one row from joining (or reinstatement) until the membership
-- ends (lapse, withdrawal, expulsion, death); re-registration opens a new one.
CREATE TABLE member_period (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id   BIGINT NOT NULL REFERENCES member (id) ON DELETE RESTRICT,
    started_on  TEXT NOT NULL,
    ended_on    TEXT,
    end_status  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX member_period_member_idx ON member_period (member_id, id);

-- Member certificates (会员证). A reissue (补办) revokes the old one and issues a new
-- serial; verification shows revoked certificates as revoked.
CREATE TABLE certificate (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id      BIGINT NOT NULL REFERENCES member (id) ON DELETE RESTRICT,
    serial         TEXT NOT NULL,
    issued_on      TEXT NOT NULL,
    valid_until    TEXT NOT NULL,
    revoked_at     BIGINT,
    revoke_reason  TEXT NOT NULL DEFAULT '',
    created_by     BIGINT REFERENCES app_user (id) ON DELETE SET NULL,
    created_at     BIGINT NOT NULL,
    CONSTRAINT certificate_serial_key UNIQUE (serial)
);
CREATE INDEX certificate_member_idx ON certificate (member_id, id);
