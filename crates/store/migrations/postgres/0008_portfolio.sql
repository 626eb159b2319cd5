-- Portfolio planning (issue 9): the organization's editable fee model and
-- the rate cards creators quoted to it. Both are per organization.
CREATE TABLE portfolio_fee_models (
    org_id      BIGINT PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    -- chorus_portfolio::FeeModel as JSON (currency + rules by platform and tier).
    model       TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE portfolio_rate_cards (
    org_id        BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    account_id    BIGINT NOT NULL REFERENCES platform_accounts(id) ON DELETE CASCADE,
    -- One deliverable, integer minor units of `currency`.
    amount_minor  BIGINT NOT NULL,
    currency      TEXT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (org_id, account_id)
);
