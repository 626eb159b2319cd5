-- Review: the automatic-check report of every draft, review rounds with
-- their comments, files uploaded with drafts, live-post verification, and the
-- milestone events (signed, approved, published) that base-fee milestones in
-- settlement are paid on. Times are microseconds since the Unix epoch, UTC.
ALTER TABLE submissions ADD COLUMN checks TEXT;
ALTER TABLE submissions ADD COLUMN verdict TEXT;
ALTER TABLE deliverables ADD COLUMN verified_at BIGINT;

CREATE TABLE review_rounds (
    id              INTEGER PRIMARY KEY,
    org_id          BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    deliverable_id  BIGINT NOT NULL REFERENCES deliverables(id) ON DELETE CASCADE,
    round           BIGINT NOT NULL,
    version         BIGINT NOT NULL,
    decision        TEXT NOT NULL CHECK (decision IN ('approved','changes_requested')),
    comments        TEXT NOT NULL,
    reviewer_id     BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at      BIGINT NOT NULL,
    UNIQUE (deliverable_id, version)
);
CREATE INDEX review_rounds_deliverable ON review_rounds(org_id, deliverable_id);

CREATE TABLE uploads (
    id              INTEGER PRIMARY KEY,
    org_id          BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    deliverable_id  BIGINT NOT NULL REFERENCES deliverables(id) ON DELETE CASCADE,
    version         BIGINT NOT NULL,
    stored_name     TEXT NOT NULL UNIQUE,
    original_name   TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size_bytes      BIGINT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX uploads_deliverable ON uploads(org_id, deliverable_id);

CREATE TABLE live_checks (
    id              INTEGER PRIMARY KEY,
    org_id          BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    deliverable_id  BIGINT NOT NULL REFERENCES deliverables(id) ON DELETE CASCADE,
    version         BIGINT NOT NULL,
    caption         TEXT NOT NULL,
    passed          BIGINT NOT NULL,
    report          TEXT NOT NULL,
    actor           TEXT NOT NULL CHECK (actor IN ('user','creator','system')),
    created_at      BIGINT NOT NULL
);
CREATE INDEX live_checks_deliverable ON live_checks(org_id, deliverable_id);

CREATE TABLE milestone_events (
    id          INTEGER PRIMARY KEY,
    org_id      BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    member_id   BIGINT NOT NULL REFERENCES campaign_members(id) ON DELETE CASCADE,
    event       TEXT NOT NULL,
    at          BIGINT NOT NULL,
    note        TEXT NOT NULL,
    UNIQUE (member_id, event)
);
CREATE INDEX milestone_events_org ON milestone_events(org_id, member_id);
