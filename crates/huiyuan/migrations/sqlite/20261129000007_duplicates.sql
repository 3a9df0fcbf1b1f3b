-- Probable duplicates (疑似重复) in the registry: people with the same name and the same
-- mobile, birth date or employer, as found by the last scan. Exact duplicates (the same ID
-- number or credit code) cannot exist: member.identity_key is UNIQUE.
CREATE INDEX member_name_idx ON member (name);

CREATE TABLE duplicate_group (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    reason    TEXT NOT NULL CHECK (reason IN ('mobile', 'birth_date', 'employer')),
    name      TEXT NOT NULL,
    value     TEXT NOT NULL,
    size      BIGINT NOT NULL,
    found_at  BIGINT NOT NULL
);

CREATE TABLE duplicate_member (
    group_id   BIGINT NOT NULL REFERENCES duplicate_group (id) ON DELETE CASCADE,
    member_id  BIGINT NOT NULL REFERENCES member (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, member_id)
);
CREATE INDEX duplicate_member_member_idx ON duplicate_member (member_id);
