-- The dashboards at a million members.
--
-- A group member's count of active individual members, kept by the database: a link added
-- or removed, or an individual member's status changed, moves the count of the groups
-- concerned. The dashboards read the counts of a city's active groups from one small index.
ALTER TABLE member ADD COLUMN active_individuals BIGINT NOT NULL DEFAULT 0;

UPDATE member SET active_individuals = (
    SELECT COUNT(*) FROM member_link l JOIN member i ON i.id = l.individual_member_id
    WHERE l.group_member_id = member.id AND i.status = 'active'
) WHERE kind = 'group';

-- Which groups an individual member is in (the status trigger, merges).
CREATE INDEX member_link_individual_idx ON member_link (individual_member_id);

CREATE FUNCTION member_link_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Lock the individual member first: a status change of theirs in another transaction
    -- either finishes before (and its status is read here) or waits for this link (and its
    -- own trigger then sees the link), so no count is missed.
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM 1 FROM member WHERE id = OLD.individual_member_id FOR SHARE;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM 1 FROM member WHERE id = NEW.individual_member_id FOR SHARE;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE member SET active_individuals = active_individuals - 1
        WHERE id = OLD.group_member_id
          AND EXISTS (SELECT 1 FROM member i WHERE i.id = OLD.individual_member_id AND i.status = 'active');
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE member SET active_individuals = active_individuals + 1
        WHERE id = NEW.group_member_id
          AND EXISTS (SELECT 1 FROM member i WHERE i.id = NEW.individual_member_id AND i.status = 'active');
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER member_link_count AFTER INSERT OR UPDATE OR DELETE ON member_link
FOR EACH ROW EXECUTE FUNCTION member_link_count();

CREATE FUNCTION member_status_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE member SET active_individuals = active_individuals
        + (CASE WHEN NEW.status = 'active' THEN 1 ELSE 0 END)
        - (CASE WHEN OLD.status = 'active' THEN 1 ELSE 0 END)
    WHERE id IN (SELECT group_member_id FROM member_link WHERE individual_member_id = NEW.id);
    RETURN NULL;
END
$$;

CREATE TRIGGER member_status_count AFTER UPDATE OF status ON member
FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION member_status_count();

-- A city's active groups by their count (partial: the groups alone).
CREATE INDEX member_active_group_idx ON member (org_id, active_individuals) WHERE kind = 'group' AND status = 'active';

-- New members of a year by city and kind: one range of this index per city and kind, read in
-- the order the dashboards group them. The year filter of the registry keeps its own index.
DROP INDEX member_joined_idx;
CREATE INDEX member_joined_idx ON member (joined_at);
CREATE INDEX member_enrolment_idx ON member (org_id, kind, joined_at);
