-- A campaign's qualification rule: which stored quality reports move a
-- shortlisted member to `qualified` and which to `rejected`.
CREATE TABLE qualify_rules (
    campaign_id   BIGINT PRIMARY KEY REFERENCES campaigns(id) ON DELETE CASCADE,
    org_id        BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    min_score     DOUBLE PRECISION NOT NULL CHECK (min_score BETWEEN 0 AND 100),
    reject_floor  BIGINT NOT NULL,
    reject_high   BIGINT NOT NULL,
    updated_by    BIGINT REFERENCES users(id) ON DELETE SET NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX qualify_rules_org ON qualify_rules(org_id);
