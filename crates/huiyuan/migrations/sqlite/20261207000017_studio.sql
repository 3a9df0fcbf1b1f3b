-- Member services (会员服务): the provincial youth science studio (青少年科学工作室, §二.4 of
-- the source document). The secretariat describes its resources — rooms, exhibition space,
-- equipment — with their opening hours and closed days; members (first) and others book a
-- resource for a time slot with a purpose; a studio manager approves or declines.
CREATE TABLE studio_resource (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('room', 'space', 'equipment')),
    description      TEXT NOT NULL DEFAULT '',
    capacity         BIGINT NOT NULL CHECK (capacity > 0),
    -- What it may be used for: purposes from the settings, one per line (empty: any).
    purposes         TEXT NOT NULL DEFAULT '',
    -- Local opening hours, HH:MM, and the ISO weekdays it is closed (1 = Monday), space-separated.
    opens_at         TEXT NOT NULL,
    closes_at        TEXT NOT NULL,
    closed_weekdays  TEXT NOT NULL DEFAULT '',
    active           BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    -- Moved by every booking before it looks for overlaps: the row lock (PostgreSQL) or the
    -- write lock it takes (SQLite) lets one booking of the resource at a time decide.
    booking_clock    BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

-- Days the studio (resource_id NULL) or one resource is closed beyond its weekdays.
CREATE TABLE studio_closed_day (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    resource_id  BIGINT REFERENCES studio_resource (id) ON DELETE CASCADE,
    day          TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX studio_closed_day_idx ON studio_closed_day (day);

-- A booking: pending until a manager decides; pending and approved ones hold their slot.
-- `member_id` and `org_id`: the booker's membership and city when they booked (counted by
-- the year-end evaluation).
CREATE TABLE studio_booking (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    resource_id     BIGINT NOT NULL REFERENCES studio_resource (id) ON DELETE RESTRICT,
    user_id         BIGINT NOT NULL REFERENCES app_user (id) ON DELETE RESTRICT,
    booker_name     TEXT NOT NULL,
    member_id       BIGINT REFERENCES member (id) ON DELETE SET NULL,
    org_id          BIGINT REFERENCES org (id) ON DELETE SET NULL,
    starts_at       BIGINT NOT NULL,
    ends_at         BIGINT NOT NULL,
    purpose         TEXT NOT NULL,
    participants    BIGINT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined', 'cancelled')),
    decided_by      BIGINT REFERENCES app_user (id) ON DELETE SET NULL,
    decided_name    TEXT NOT NULL DEFAULT '',
    decided_at      BIGINT,
    decision_note   TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX studio_booking_slot_idx ON studio_booking (resource_id, starts_at);
CREATE INDEX studio_booking_user_idx ON studio_booking (user_id, starts_at);

-- Every use of a member service, for the year-end evaluation to count: who, what, when,
-- which city. `service`: studio, paper, training; `action`: what was done; `ref_id`: the
-- booking, paper or training application.
CREATE TABLE service_use (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    service     TEXT NOT NULL,
    action      TEXT NOT NULL,
    ref_id      BIGINT NOT NULL,
    user_id     BIGINT REFERENCES app_user (id) ON DELETE SET NULL,
    member_id   BIGINT REFERENCES member (id) ON DELETE SET NULL,
    org_id      BIGINT REFERENCES org (id) ON DELETE SET NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX service_use_at_idx ON service_use (at, service);
CREATE INDEX service_use_member_idx ON service_use (member_id, at);
