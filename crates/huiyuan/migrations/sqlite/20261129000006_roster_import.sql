-- Roster imports (普查导入): a city's existing roster, uploaded, previewed row by row and then
-- committed all at once. The rows keep their cells so a new column mapping re-checks them.
CREATE TABLE import_batch (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id           BIGINT REFERENCES org (id) ON DELETE RESTRICT,
    created_by       BIGINT REFERENCES app_user (id) ON DELETE SET NULL,
    created_by_name  TEXT NOT NULL,
    file_name        TEXT NOT NULL,
    file_sha256      TEXT NOT NULL,
    heading_json     TEXT NOT NULL,
    mapping_json     TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('preview', 'committed', 'discarded')),
    total_rows       BIGINT NOT NULL DEFAULT 0,
    blank_rows       BIGINT NOT NULL DEFAULT 0,
    new_rows         BIGINT NOT NULL DEFAULT 0,
    duplicate_rows   BIGINT NOT NULL DEFAULT 0,
    probable_rows    BIGINT NOT NULL DEFAULT 0,
    invalid_rows     BIGINT NOT NULL DEFAULT 0,
    imported_rows    BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    committed_at     BIGINT
);
CREATE INDEX import_batch_org_idx ON import_batch (org_id, id);

CREATE TABLE import_row (
    batch_id         BIGINT NOT NULL REFERENCES import_batch (id) ON DELETE CASCADE,
    row_no           BIGINT NOT NULL,
    cells_json       TEXT NOT NULL,
    verdict          TEXT NOT NULL CHECK (verdict IN ('new', 'duplicate', 'probable', 'invalid')),
    message          TEXT NOT NULL DEFAULT '',
    match_member_id  BIGINT REFERENCES member (id) ON DELETE SET NULL,
    PRIMARY KEY (batch_id, row_no)
);
CREATE INDEX import_row_verdict_idx ON import_row (batch_id, verdict, row_no);

-- How each city's rosters map to fields (by heading text), remembered for the next one.
-- org_key: the org's id, 0 for the province.
CREATE TABLE import_mapping (
    org_key       BIGINT PRIMARY KEY,
    mapping_json  TEXT NOT NULL,
    updated_at    BIGINT NOT NULL
);
