-- The individual members a group application registers with it (3–5 by default), as
-- resolved at its last submission: each one an individual member or an applicant, by the
-- identity key of their document. When both the group and the person are members, the link
-- is in member_link.
CREATE TABLE group_person (
    application_id  BIGINT NOT NULL REFERENCES application (id) ON DELETE RESTRICT,
    position        BIGINT NOT NULL,
    name            TEXT NOT NULL,
    identity_key    TEXT NOT NULL,
    PRIMARY KEY (application_id, position)
);
CREATE INDEX group_person_identity_idx ON group_person (identity_key);
