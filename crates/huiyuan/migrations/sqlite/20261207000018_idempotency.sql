-- Idempotent writes through the API: a POST sent with an `Idempotency-Key` header is kept
-- here by caller and key for 24 hours — the hash of what was sent, and once it succeeded,
-- the answer — so that the same key and body again return the first answer and change
-- nothing (an integration that retries never creates two applications or two bookings).
-- `status` 0: the first request is still being answered.
CREATE TABLE api_idempotency (
    user_id       BIGINT NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status        BIGINT NOT NULL DEFAULT 0,
    content_type  TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX api_idempotency_age_idx ON api_idempotency (created_at);
