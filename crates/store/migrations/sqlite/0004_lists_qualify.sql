-- Shortlists, notes and saved searches of an organization, and its qualify reports.
CREATE TABLE lists (
    id          INTEGER PRIMARY KEY,
    org_id      BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE list_items (
    list_id     BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    account_id  BIGINT NOT NULL REFERENCES platform_accounts(id) ON DELETE CASCADE,
    added_at    BIGINT NOT NULL,
    PRIMARY KEY (list_id, account_id)
);

CREATE TABLE creator_notes (
    org_id      BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    account_id  BIGINT NOT NULL REFERENCES platform_accounts(id) ON DELETE CASCADE,
    note        TEXT NOT NULL,
    tags        TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (org_id, account_id)
);

CREATE TABLE saved_searches (
    id          INTEGER PRIMARY KEY,
    org_id      BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    query       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE qualify_reports (
    id             INTEGER PRIMARY KEY,
    org_id         BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    account_id     BIGINT NOT NULL REFERENCES platform_accounts(id) ON DELETE CASCADE,
    score          DOUBLE PRECISION NOT NULL,
    high_severity  BIGINT NOT NULL,
    floor_severity BIGINT NOT NULL,
    report         TEXT NOT NULL,
    findings       TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX qualify_reports_latest ON qualify_reports(org_id, account_id, created_at);
