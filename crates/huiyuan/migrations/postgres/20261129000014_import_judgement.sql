-- The roster import judges like a city secretary: a member's education (学历) as recorded,
-- and marks the city chose to import a row with (education below the joining minimum, an age
-- outside the category's range), shown on the member's page and filtered in the registry.
-- Rows with such findings wait for the city's decision under their own verdict, 'flagged'.
ALTER TABLE member ADD COLUMN education TEXT NOT NULL DEFAULT '';
-- Space-separated codes: education_below, age_outside, id_to_complete (imported without an
-- ID number, which the census asks the member for).
ALTER TABLE member ADD COLUMN marks TEXT NOT NULL DEFAULT '';
ALTER TABLE import_batch ADD COLUMN flagged_rows BIGINT NOT NULL DEFAULT 0;
-- How many rows each finding concerns ({"education_below": 58, ...}), for the summary line.
ALTER TABLE import_batch ADD COLUMN findings_json TEXT NOT NULL DEFAULT '{}';

-- A new verdict and a column: the rows' table is made anew (SQLite cannot change a CHECK).
CREATE TEMPORARY TABLE import_row_old AS SELECT * FROM import_row;
DROP TABLE import_row;
CREATE TABLE import_row (
    batch_id         BIGINT NOT NULL REFERENCES import_batch (id) ON DELETE CASCADE,
    row_no           BIGINT NOT NULL,
    cells_json       TEXT NOT NULL,
    verdict          TEXT NOT NULL CHECK (verdict IN ('new', 'flagged', 'duplicate', 'probable', 'invalid')),
    message          TEXT NOT NULL DEFAULT '',
    match_member_id  BIGINT REFERENCES member (id) ON DELETE SET NULL,
    -- 0: a probable duplicate without the ID number the settings require (shown, not importable).
    can_import       BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (batch_id, row_no)
);
INSERT INTO import_row (batch_id, row_no, cells_json, verdict, message, match_member_id)
    SELECT batch_id, row_no, cells_json, verdict, message, match_member_id FROM import_row_old;
DROP TABLE import_row_old;
CREATE INDEX import_row_verdict_idx ON import_row (batch_id, verdict, row_no);
