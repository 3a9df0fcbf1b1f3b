-- Certificates generated in bulk (批量生成会员证): a .zip of PDFs made by the jobs worker,
-- with its progress, for the members a list showed when it was asked for.
CREATE TABLE certificate_batch (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    requested_by       BIGINT REFERENCES app_user (id) ON DELETE SET NULL,
    requested_by_name  TEXT NOT NULL,
    filters            TEXT NOT NULL,
    member_ids_json    TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    total              BIGINT NOT NULL,
    done               BIGINT NOT NULL DEFAULT 0,
    file_id            BIGINT REFERENCES stored_file (id) ON DELETE SET NULL,
    error              TEXT NOT NULL DEFAULT '',
    created_at         BIGINT NOT NULL,
    finished_at        BIGINT
);
