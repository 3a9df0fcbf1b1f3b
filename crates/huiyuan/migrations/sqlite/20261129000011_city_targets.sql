-- City development targets (目标任务): per year and per city, ranges of new group members,
-- new individual members and individual members within each group member, and the day the
-- city's progress report is due. A year's rows are seeded from the settings when the year
-- is first used; the secretariat edits them per city.
CREATE TABLE city_target (
    year              BIGINT NOT NULL,
    org_id            BIGINT NOT NULL REFERENCES org (id) ON DELETE CASCADE,
    groups_min        BIGINT NOT NULL,
    groups_max        BIGINT NOT NULL,
    individuals_min   BIGINT NOT NULL,
    individuals_max   BIGINT NOT NULL,
    per_group_min     BIGINT NOT NULL,
    per_group_max     BIGINT NOT NULL,
    report_deadline   TEXT NOT NULL,
    updated_at        BIGINT NOT NULL,
    PRIMARY KEY (year, org_id),
    CHECK (0 <= groups_min AND groups_min <= groups_max),
    CHECK (0 <= individuals_min AND individuals_min <= individuals_max),
    CHECK (0 <= per_group_min AND per_group_min <= per_group_max)
);

-- Every change of a city's target: the values before and after (JSON), the reason, who.
CREATE TABLE city_target_change (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    year              BIGINT NOT NULL,
    org_id            BIGINT NOT NULL REFERENCES org (id) ON DELETE CASCADE,
    before_values     TEXT NOT NULL,
    after_values      TEXT NOT NULL,
    reason            TEXT NOT NULL,
    actor_id          BIGINT REFERENCES app_user (id) ON DELETE SET NULL,
    actor_name        TEXT NOT NULL,
    at                BIGINT NOT NULL
);
CREATE INDEX city_target_change_idx ON city_target_change (year, org_id, id);
