-- Webhooks (outbound): other systems subscribe to events with a URL. A subscription belongs
-- to an org (the province's hears everything, a city's only what happens in the city) and is
-- signed with its secret (HMAC-SHA256; the secret is shown once, when it is made).
CREATE TABLE webhook (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        BIGINT NOT NULL REFERENCES org (id) ON DELETE RESTRICT,
    url           TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    events        TEXT NOT NULL,
    secret        TEXT NOT NULL,
    active        BIGINT NOT NULL DEFAULT 1,
    created_by    BIGINT REFERENCES app_user (id) ON DELETE SET NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX webhook_active_idx ON webhook (active, org_id);

-- One event for one subscription, written in the transaction of the change and sent by the
-- job queue after it commits; every attempt's outcome is kept.
CREATE TABLE webhook_delivery (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id     BIGINT NOT NULL REFERENCES webhook (id) ON DELETE CASCADE,
    event          TEXT NOT NULL,
    payload        TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts       BIGINT NOT NULL DEFAULT 0,
    response_code  BIGINT,
    last_error     TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL,
    delivered_at   BIGINT,
    last_attempt_at BIGINT
);
CREATE INDEX webhook_delivery_webhook_idx ON webhook_delivery (webhook_id, id);
