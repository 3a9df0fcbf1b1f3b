-- Census and re-registration campaigns (普查、重新登记): every member in scope confirms or
-- corrects their record within the window; afterwards those who did not become lapsed.
CREATE TABLE census (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    title            TEXT NOT NULL,
    opens_on         TEXT NOT NULL,
    closes_on        TEXT NOT NULL,
    -- JSON lists; empty means every city / every category.
    orgs_json        TEXT NOT NULL,
    categories_json  TEXT NOT NULL,
    remind_days      BIGINT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('open', 'lapsed')),
    created_by_name  TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    lapsed_at        BIGINT
);

CREATE TABLE census_member (
    census_id     BIGINT NOT NULL REFERENCES census (id) ON DELETE CASCADE,
    member_id     BIGINT NOT NULL REFERENCES member (id) ON DELETE CASCADE,
    org_id        BIGINT,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'corrected', 'lapsed')),
    responded_at  BIGINT,
    responded_by  TEXT NOT NULL DEFAULT '',
    on_behalf     BIGINT NOT NULL DEFAULT 0,
    note          TEXT NOT NULL DEFAULT '',
    reminded_at   BIGINT,
    PRIMARY KEY (census_id, member_id)
);
CREATE INDEX census_member_status_idx ON census_member (census_id, status, org_id);
CREATE INDEX census_member_member_idx ON census_member (member_id);
