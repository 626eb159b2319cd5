-- Promo codes at scale: batches of single-use codes, the record of which
-- orders used which code (so a single-use code is credited once), and the
-- flag on a verdict whose single-use code had already been redeemed.

CREATE TABLE promo_code_batches (
    id           INTEGER PRIMARY KEY,
    org_id       BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    campaign_id  BIGINT NOT NULL,
    pattern      TEXT NOT NULL,
    per_creator  BIGINT NOT NULL,
    seed         BIGINT NOT NULL,
    created_at   BIGINT NOT NULL
);

ALTER TABLE promo_codes ADD COLUMN batch_id BIGINT REFERENCES promo_code_batches(id) ON DELETE SET NULL;

-- One row per (order, code text it carried), written with the order.
CREATE TABLE code_uses (
    org_id     BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    code_norm  TEXT NOT NULL,
    order_pk   BIGINT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    PRIMARY KEY (org_id, code_norm, order_pk)
);

ALTER TABLE attributions ADD COLUMN code_reused BIGINT NOT NULL DEFAULT 0;

INSERT OR IGNORE INTO code_uses (org_id, code_norm, order_pk)
    SELECT o.org_id, lower(trim(j.value)), o.id FROM orders o, json_each(o.codes) j
    WHERE trim(j.value) <> '';
