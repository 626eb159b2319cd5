-- Campaigns and everything a campaign collects: members and their stage log,
-- versioned briefs, contracts with signatures, portal tokens (digests only),
-- deliverables with submissions, and the email outbox. Times are microseconds
-- since the Unix epoch, UTC; JSON documents are TEXT.
CREATE TABLE campaigns (
    id                       INTEGER PRIMARY KEY,
    org_id                   BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name                     TEXT NOT NULL,
    product                  TEXT NOT NULL,
    budget_minor             BIGINT NOT NULL,
    currency                 TEXT NOT NULL,
    starts_at                BIGINT,
    ends_at                  BIGINT,
    attribution_window_days  BIGINT NOT NULL DEFAULT 30
                             CHECK (attribution_window_days BETWEEN 1 AND 180),
    default_brief            TEXT NOT NULL,
    default_terms            TEXT NOT NULL,
    contract_template        TEXT NOT NULL,
    created_by               BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at               BIGINT NOT NULL,
    updated_at               BIGINT NOT NULL
);
CREATE INDEX campaigns_org ON campaigns(org_id);

CREATE TABLE campaign_members (
    id                  INTEGER PRIMARY KEY,
    org_id              BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    campaign_id         BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    account_id          BIGINT NOT NULL REFERENCES platform_accounts(id),
    stage               TEXT NOT NULL CHECK (stage IN ('shortlisted','qualified','rejected','offered',
                        'negotiating','contracted','declined','content_submitted','changes_requested',
                        'approved','published','completed')),
    terms               TEXT NOT NULL,
    tracking_link       TEXT,
    promo_code          TEXT,
    brief_version_sent  BIGINT,
    stage_changed_at    BIGINT NOT NULL,
    created_at          BIGINT NOT NULL,
    UNIQUE (campaign_id, account_id)
);
CREATE INDEX campaign_members_org ON campaign_members(org_id, campaign_id);

CREATE TABLE stage_events (
    id             INTEGER PRIMARY KEY,
    org_id         BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    member_id      BIGINT NOT NULL REFERENCES campaign_members(id) ON DELETE CASCADE,
    from_stage     TEXT,
    to_stage       TEXT NOT NULL,
    actor          TEXT NOT NULL CHECK (actor IN ('user','creator','system')),
    actor_user_id  BIGINT REFERENCES users(id) ON DELETE SET NULL,
    note           TEXT NOT NULL,
    at             BIGINT NOT NULL
);
CREATE INDEX stage_events_member ON stage_events(org_id, member_id);

CREATE TABLE briefs (
    id           INTEGER PRIMARY KEY,
    org_id       BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    campaign_id  BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    version      BIGINT NOT NULL,
    body         TEXT NOT NULL,
    created_by   BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (campaign_id, version)
);

CREATE TABLE contracts (
    id                 INTEGER PRIMARY KEY,
    org_id             BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    member_id          BIGINT NOT NULL REFERENCES campaign_members(id) ON DELETE CASCADE,
    version            BIGINT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('draft','sent','viewed','signed','countered','declined','void')),
    body               TEXT NOT NULL,
    body_sha256        TEXT NOT NULL,
    terms              TEXT NOT NULL,
    signer_name        TEXT,
    signed_at          BIGINT,
    signer_ip          TEXT,
    signer_user_agent  TEXT,
    signed_hash        TEXT,
    counter            TEXT,
    decline_reason     TEXT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    UNIQUE (member_id, version)
);
CREATE INDEX contracts_org ON contracts(org_id, member_id);

CREATE TABLE portal_tokens (
    id          INTEGER PRIMARY KEY,
    org_id      BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    member_id   BIGINT NOT NULL REFERENCES campaign_members(id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    csrf        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX portal_tokens_member ON portal_tokens(org_id, member_id);

CREATE TABLE deliverables (
    id                   INTEGER PRIMARY KEY,
    org_id               BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    member_id            BIGINT NOT NULL REFERENCES campaign_members(id) ON DELETE CASCADE,
    platform             TEXT NOT NULL,
    format               TEXT NOT NULL CHECK (format IN ('reel','story','short','video','post')),
    due_at               BIGINT,
    status               TEXT NOT NULL CHECK (status IN ('pending','submitted','changes_requested','approved','live')),
    reminded_before_at   BIGINT,
    reminded_late_at     BIGINT,
    created_at           BIGINT NOT NULL
);
CREATE INDEX deliverables_member ON deliverables(org_id, member_id);
CREATE INDEX deliverables_due ON deliverables(due_at);

CREATE TABLE submissions (
    id              INTEGER PRIMARY KEY,
    org_id          BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    deliverable_id  BIGINT NOT NULL REFERENCES deliverables(id) ON DELETE CASCADE,
    version         BIGINT NOT NULL,
    caption         TEXT NOT NULL,
    media           TEXT NOT NULL,
    live_url        TEXT,
    created_at      BIGINT NOT NULL,
    UNIQUE (deliverable_id, version)
);

CREATE TABLE email_outbox (
    id               INTEGER PRIMARY KEY,
    org_id           BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    to_addr          TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('queued','sent','failed')),
    attempts         BIGINT NOT NULL,
    next_attempt_at  BIGINT NOT NULL,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    sent_at          BIGINT
);
CREATE INDEX email_outbox_due ON email_outbox(status, next_attempt_at);
CREATE INDEX email_outbox_org ON email_outbox(org_id, id);
