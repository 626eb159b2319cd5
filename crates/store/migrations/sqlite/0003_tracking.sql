-- Tracking links, clicks, promo codes, orders, refunds, identify events and
-- attributions. Times are microseconds since the Unix epoch, UTC; flags are
-- BIGINT 0/1 so that one SQL text serves both backends; decimal amounts are
-- kept exactly as TEXT beside their integer minor units (for sums).
-- Campaigns are referenced by id without a foreign key: their window comes
-- from `campaigns.attribution_window_days`.

-- Per-organization attribution policy and ingestion secrets.
CREATE TABLE tracking_settings (
    org_id          BIGINT PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    model           TEXT NOT NULL DEFAULT 'last' CHECK (model IN ('last','first','linear')),
    webhook_secret  TEXT,
    shopify_secret  TEXT,
    public_key      TEXT UNIQUE,
    updated_at      BIGINT NOT NULL
);

-- Server-wide secrets (e.g. the key the daily IP-hash salt is derived from).
CREATE TABLE server_secrets (
    name        TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE tracking_links (
    id           INTEGER PRIMARY KEY,
    org_id       BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    campaign_id  BIGINT NOT NULL,
    account_id   BIGINT NOT NULL REFERENCES platform_accounts(id),
    code         TEXT NOT NULL UNIQUE,
    destination  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    disabled_at  BIGINT
);
CREATE INDEX tracking_links_org ON tracking_links(org_id, campaign_id, account_id);
CREATE INDEX tracking_links_updated ON tracking_links(updated_at);

CREATE TABLE clicks (
    id          INTEGER PRIMARY KEY,
    org_id      BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    link_id     BIGINT NOT NULL REFERENCES tracking_links(id) ON DELETE CASCADE,
    click_id    TEXT NOT NULL UNIQUE,
    at          BIGINT NOT NULL,
    ip_hash     TEXT NOT NULL,
    user_agent  TEXT,
    referrer    TEXT,
    country     TEXT,
    bot         BIGINT NOT NULL,
    is_unique   BIGINT NOT NULL
);
CREATE INDEX clicks_org_link_at ON clicks(org_id, link_id, at);

CREATE TABLE promo_codes (
    id           INTEGER PRIMARY KEY,
    org_id       BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    campaign_id  BIGINT NOT NULL,
    account_id   BIGINT NOT NULL REFERENCES platform_accounts(id),
    code         TEXT NOT NULL,
    code_norm    TEXT NOT NULL,
    valid_from   BIGINT,
    valid_to     BIGINT,
    single_use   BIGINT NOT NULL,
    used_count   BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL
);
CREATE INDEX promo_codes_org_code ON promo_codes(org_id, code_norm);

CREATE TABLE orders (
    id            INTEGER PRIMARY KEY,
    org_id        BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    external_id   TEXT NOT NULL,
    at            BIGINT NOT NULL,
    amount        TEXT NOT NULL,
    amount_minor  BIGINT NOT NULL,
    currency      TEXT NOT NULL,
    customer_key  TEXT,
    click_id      TEXT,
    codes         TEXT NOT NULL,
    referrer      TEXT,
    source        TEXT NOT NULL,
    raw           TEXT NOT NULL,
    deliveries    BIGINT NOT NULL DEFAULT 1,
    received_at   BIGINT NOT NULL,
    UNIQUE (org_id, external_id)
);
CREATE INDEX orders_org_at ON orders(org_id, at);
CREATE INDEX orders_org_customer ON orders(org_id, customer_key);

CREATE TABLE refunds (
    id            INTEGER PRIMARY KEY,
    org_id        BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    order_pk      BIGINT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    external_id   TEXT NOT NULL,
    at            BIGINT NOT NULL,
    amount        TEXT NOT NULL,
    amount_minor  BIGINT NOT NULL,
    source        TEXT NOT NULL,
    raw           TEXT NOT NULL,
    received_at   BIGINT NOT NULL,
    UNIQUE (org_id, external_id)
);
CREATE INDEX refunds_order ON refunds(order_pk);

CREATE TABLE identifies (
    id            INTEGER PRIMARY KEY,
    org_id        BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    customer_key  TEXT NOT NULL,
    click_id      TEXT NOT NULL,
    at            BIGINT NOT NULL,
    UNIQUE (org_id, customer_key, click_id)
);

-- The latest verdict per order; a re-run replaces it (history of money lives
-- in the ledger, not here).
CREATE TABLE attributions (
    order_pk       BIGINT PRIMARY KEY REFERENCES orders(id) ON DELETE CASCADE,
    org_id         BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    rule           TEXT NOT NULL CHECK (rule IN ('code','click','customer','none')),
    self_referral  BIGINT NOT NULL,
    net_amount     TEXT NOT NULL,
    net_minor      BIGINT NOT NULL,
    computed_at    BIGINT NOT NULL
);
CREATE INDEX attributions_org ON attributions(org_id);

CREATE TABLE attribution_credits (
    order_pk     BIGINT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    org_id       BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    campaign_id  BIGINT NOT NULL,
    account_id   BIGINT NOT NULL,
    click_id     TEXT,
    share_num    BIGINT NOT NULL,
    share_den    BIGINT NOT NULL,
    PRIMARY KEY (order_pk, account_id, campaign_id)
);
CREATE INDEX attribution_credits_org ON attribution_credits(org_id, campaign_id, account_id);
