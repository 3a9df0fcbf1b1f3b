-- A city's proposal to change one of its members' status or category (cities may propose;
-- the secretariat decides). Accepting applies the change with the city's reason.
CREATE TABLE member_proposal (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id         BIGINT NOT NULL REFERENCES member (id) ON DELETE CASCADE,
    field             TEXT NOT NULL CHECK (field IN ('status', 'category')),
    from_value        TEXT NOT NULL,
    to_value          TEXT NOT NULL,
    reason            TEXT NOT NULL,
    proposed_by       BIGINT REFERENCES app_user (id) ON DELETE SET NULL,
    proposed_by_name  TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined')),
    decided_by_name   TEXT NOT NULL DEFAULT '',
    decision_note     TEXT NOT NULL DEFAULT '',
    created_at        BIGINT NOT NULL,
    decided_at        BIGINT
);
CREATE INDEX member_proposal_member_idx ON member_proposal (member_id, status);
CREATE INDEX member_proposal_status_idx ON member_proposal (status, id);
