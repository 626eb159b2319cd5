-- Pay (issue 8): daily exchange rates, the commission lines and ledger
-- entries recorded from the settlement engine (both append-only: a changed
-- state is a new row, never an update), payout runs and their items.
-- Times are microseconds since the Unix epoch, UTC; money is integer minor
-- units with its ISO 4217 currency.

-- 1 `from_currency` = `rate` `to_currency` on `day` (UTC date, YYYY-MM-DD).
CREATE TABLE fx_rates (
    org_id         BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    day            TEXT NOT NULL,
    from_currency  TEXT NOT NULL,
    to_currency    TEXT NOT NULL,
    rate           TEXT NOT NULL,
    imported_at    BIGINT NOT NULL,
    PRIMARY KEY (org_id, day, from_currency, to_currency)
);

-- One row per state of a commission line (milestone, commission, reversal):
-- the latest row of a line_key is its current state.
CREATE TABLE pay_lines (
    id            INTEGER PRIMARY KEY,
    org_id        BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    line_key      TEXT NOT NULL,
    creator       TEXT NOT NULL,
    campaign      TEXT NOT NULL,
    kind          TEXT NOT NULL,
    reference     TEXT NOT NULL,
    currency      TEXT NOT NULL,
    amount_minor  BIGINT NOT NULL,
    -- engine status: pending, payable, paid, reversed; `void` when the line
    -- no longer exists (its order lost its credit).
    status        TEXT NOT NULL,
    -- balance it counts in: pending, payable, paid, or none
    bucket        TEXT NOT NULL,
    at            BIGINT,
    payable_at    BIGINT,
    paid_in       TEXT,
    recorded_at   BIGINT NOT NULL
);
CREATE INDEX pay_lines_key ON pay_lines(org_id, line_key, id);
CREATE INDEX pay_lines_creator ON pay_lines(org_id, creator);

-- Double-entry postings; entries of one txn balance per currency.
CREATE TABLE ledger_entries (
    id           INTEGER PRIMARY KEY,
    org_id       BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    txn          TEXT NOT NULL,
    account      TEXT NOT NULL,
    side         TEXT NOT NULL CHECK (side IN ('debit','credit')),
    minor        BIGINT NOT NULL,
    currency     TEXT NOT NULL,
    reference    TEXT NOT NULL,
    recorded_at  BIGINT NOT NULL
);
CREATE INDEX ledger_entries_org ON ledger_entries(org_id, txn);

-- Serializes ledger recording per organization (a row lock on both backends).
CREATE TABLE pay_locks (
    org_id  BIGINT PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    n       BIGINT NOT NULL
);

CREATE TABLE payout_runs (
    id               INTEGER PRIMARY KEY,
    org_id           BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    idempotency_key  TEXT NOT NULL,
    as_of            BIGINT NOT NULL,
    -- decimal string, compared with each per-currency sum in its own units
    min_payout       TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('draft','approved','exported','paid')),
    -- order of approval: the order the engine pays runs in
    seq              BIGINT,
    created_by       BIGINT REFERENCES users(id) ON DELETE SET NULL,
    approved_by      BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at       BIGINT NOT NULL,
    approved_at      BIGINT,
    exported_at      BIGINT,
    UNIQUE (org_id, idempotency_key)
);

CREATE TABLE payout_items (
    id             INTEGER PRIMARY KEY,
    org_id         BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    run_id         BIGINT NOT NULL REFERENCES payout_runs(id) ON DELETE CASCADE,
    -- `<run key>:<creator>:<currency>`, the id providers echo back
    item_id        TEXT NOT NULL,
    account_id     BIGINT NOT NULL,
    currency       TEXT NOT NULL,
    amount_minor   BIGINT NOT NULL,
    lines          BIGINT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('pending','paid','failed')),
    provider_ref   TEXT,
    updated_at     BIGINT NOT NULL,
    UNIQUE (run_id, item_id)
);
CREATE INDEX payout_items_org ON payout_items(org_id, run_id);
