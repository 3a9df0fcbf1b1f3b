-- New members by city, kind and month, kept by the database (the dashboards read twelve
-- small rows per city and kind instead of counting a year of the enrolment index).
--
-- The month is the association's local month: `enrolment_clock` holds the UTC offset the
-- counts were made with. The server compares it with its settings when it starts and, when
-- they differ, counts again (see `targets::enrolment::align`); the triggers use the clock.
CREATE TABLE enrolment_clock (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    offset_seconds  BIGINT NOT NULL
);
INSERT INTO enrolment_clock (id, offset_seconds) VALUES (1, 0);

CREATE TABLE enrolment_count (
    org_id  BIGINT NOT NULL REFERENCES org (id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,
    month   BIGINT NOT NULL,  -- year * 100 + month, local time
    n       BIGINT NOT NULL,
    PRIMARY KEY (org_id, kind, month)
) WITHOUT ROWID;

INSERT INTO enrolment_count (org_id, kind, month, n)
SELECT org_id, kind,
       CAST(strftime('%Y%m', joined_at / 1000 + (SELECT offset_seconds FROM enrolment_clock), 'unixepoch') AS INTEGER),
       COUNT(*)
FROM member WHERE org_id IS NOT NULL GROUP BY 1, 2, 3;

CREATE TRIGGER enrolment_count_insert AFTER INSERT ON member
WHEN NEW.org_id IS NOT NULL
BEGIN
    INSERT INTO enrolment_count (org_id, kind, month, n)
    VALUES (NEW.org_id, NEW.kind,
            CAST(strftime('%Y%m', NEW.joined_at / 1000 + (SELECT offset_seconds FROM enrolment_clock), 'unixepoch') AS INTEGER),
            1)
    ON CONFLICT (org_id, kind, month) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER enrolment_count_delete AFTER DELETE ON member
WHEN OLD.org_id IS NOT NULL
BEGIN
    UPDATE enrolment_count SET n = n - 1
    WHERE org_id = OLD.org_id AND kind = OLD.kind
      AND month = CAST(strftime('%Y%m', OLD.joined_at / 1000 + (SELECT offset_seconds FROM enrolment_clock), 'unixepoch') AS INTEGER);
END;

CREATE TRIGGER enrolment_count_update AFTER UPDATE OF org_id, kind, joined_at ON member
WHEN OLD.org_id IS NOT NEW.org_id OR OLD.kind IS NOT NEW.kind OR OLD.joined_at IS NOT NEW.joined_at
BEGIN
    UPDATE enrolment_count SET n = n - 1
    WHERE OLD.org_id IS NOT NULL AND org_id = OLD.org_id AND kind = OLD.kind
      AND month = CAST(strftime('%Y%m', OLD.joined_at / 1000 + (SELECT offset_seconds FROM enrolment_clock), 'unixepoch') AS INTEGER);
    INSERT INTO enrolment_count (org_id, kind, month, n)
    SELECT NEW.org_id, NEW.kind,
           CAST(strftime('%Y%m', NEW.joined_at / 1000 + (SELECT offset_seconds FROM enrolment_clock), 'unixepoch') AS INTEGER),
           1
    WHERE NEW.org_id IS NOT NULL
    ON CONFLICT (org_id, kind, month) DO UPDATE SET n = n + 1;
END;
