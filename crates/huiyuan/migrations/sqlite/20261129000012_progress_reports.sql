-- A city's progress report (发展情况报告) for a year, one per city and year. The figures are
-- copied from the data when the city hands the report in (JSON, frozen); the secretariat
-- returns it with a comment or accepts it. `late`: the first hand-in came after the deadline.
CREATE TABLE progress_report (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    year                BIGINT NOT NULL,
    org_id              BIGINT NOT NULL REFERENCES org (id) ON DELETE CASCADE,
    status              TEXT NOT NULL CHECK (status IN ('submitted', 'returned', 'accepted')),
    figures             TEXT NOT NULL,
    narrative           TEXT NOT NULL,
    first_submitted_at  BIGINT NOT NULL,
    submitted_at        BIGINT NOT NULL,
    submitted_by        BIGINT REFERENCES app_user (id) ON DELETE SET NULL,
    submitted_name      TEXT NOT NULL,
    late                BIGINT NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
    review_note         TEXT NOT NULL DEFAULT '',
    reviewed_at         BIGINT,
    reviewed_name       TEXT NOT NULL DEFAULT '',
    version             BIGINT NOT NULL DEFAULT 1,
    CONSTRAINT progress_report_year_org_id_key UNIQUE (year, org_id)
);

-- What happened to a report: handed in (with the figures of that moment), returned, accepted.
CREATE TABLE progress_report_event (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id   BIGINT NOT NULL REFERENCES progress_report (id) ON DELETE CASCADE,
    action      TEXT NOT NULL CHECK (action IN ('submit', 'return', 'accept')),
    note        TEXT NOT NULL,
    actor_id    BIGINT REFERENCES app_user (id) ON DELETE SET NULL,
    actor_name  TEXT NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX progress_report_event_idx ON progress_report_event (report_id, id);

-- Files a city attaches to its report.
CREATE TABLE progress_report_file (
    report_id   BIGINT NOT NULL REFERENCES progress_report (id) ON DELETE CASCADE,
    file_id     BIGINT NOT NULL REFERENCES stored_file (id) ON DELETE RESTRICT,
    PRIMARY KEY (report_id, file_id)
);

-- Reminders sent to a city about its report: one row per year, city and reminder day (days
-- before the deadline), so a reminder is never sent twice.
CREATE TABLE target_reminder (
    year         BIGINT NOT NULL,
    org_id       BIGINT NOT NULL REFERENCES org (id) ON DELETE CASCADE,
    days_before  BIGINT NOT NULL,
    reasons      TEXT NOT NULL,
    recipients   BIGINT NOT NULL,
    sent_at      BIGINT NOT NULL,
    PRIMARY KEY (year, org_id, days_before)
);

-- The dashboards count a year's new members by city, kind and month from this index alone.
DROP INDEX member_joined_idx;
CREATE INDEX member_joined_idx ON member (joined_at, org_id, kind);
