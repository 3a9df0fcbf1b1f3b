-- New members by city, kind and month, kept by the database (the dashboards read twelve
-- small rows per city and kind instead of counting a year of the enrolment index).
--
-- The month is the association's local month: `enrolment_clock` holds the UTC offset the
-- counts were made with. The server compares it with its settings when it starts and, when
-- they differ, counts again (see `targets::enrolment::align`); the triggers use the clock.
CREATE TABLE enrolment_clock (
    id              BIGINT PRIMARY KEY CHECK (id = 1),
    offset_seconds  BIGINT NOT NULL
);
INSERT INTO enrolment_clock (id, offset_seconds) VALUES (1, 0);

CREATE TABLE enrolment_count (
    org_id  BIGINT NOT NULL REFERENCES org (id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,
    month   BIGINT NOT NULL,  -- year * 100 + month, local time
    n       BIGINT NOT NULL,
    PRIMARY KEY (org_id, kind, month)
);

-- year * 100 + month of a moment (ms since the epoch) in the clock's local time.
CREATE FUNCTION enrolment_month(at_ms BIGINT) RETURNS BIGINT LANGUAGE sql STABLE AS $$
    SELECT (EXTRACT(YEAR FROM t) * 100 + EXTRACT(MONTH FROM t))::BIGINT
    FROM (SELECT to_timestamp(at_ms / 1000 + offset_seconds) AT TIME ZONE 'UTC' AS t FROM enrolment_clock) c
$$;

INSERT INTO enrolment_count (org_id, kind, month, n)
SELECT org_id, kind, enrolment_month(joined_at), COUNT(*) FROM member
WHERE org_id IS NOT NULL GROUP BY 1, 2, 3;

CREATE FUNCTION enrolment_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') AND OLD.org_id IS NOT NULL THEN
        UPDATE enrolment_count SET n = n - 1
        WHERE org_id = OLD.org_id AND kind = OLD.kind AND month = enrolment_month(OLD.joined_at);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.org_id IS NOT NULL THEN
        INSERT INTO enrolment_count (org_id, kind, month, n)
        VALUES (NEW.org_id, NEW.kind, enrolment_month(NEW.joined_at), 1)
        ON CONFLICT (org_id, kind, month) DO UPDATE SET n = enrolment_count.n + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER enrolment_count_rows AFTER INSERT OR DELETE ON member
FOR EACH ROW EXECUTE FUNCTION enrolment_count_change();
CREATE TRIGGER enrolment_count_update AFTER UPDATE OF org_id, kind, joined_at ON member
FOR EACH ROW
WHEN (OLD.org_id IS DISTINCT FROM NEW.org_id OR OLD.kind IS DISTINCT FROM NEW.kind OR OLD.joined_at IS DISTINCT FROM NEW.joined_at)
EXECUTE FUNCTION enrolment_count_change();
