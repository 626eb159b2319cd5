-- Times are microseconds since the Unix epoch, UTC, in BIGINT columns named *_at.
CREATE TABLE organizations (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    org_id         BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    email          TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('owner','manager','reviewer','finance','viewer')),
    created_at     BIGINT NOT NULL,
    disabled_at    BIGINT
);
CREATE INDEX users_org ON users(org_id);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    org_id        BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id       BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    prefix        TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    revoked_at    BIGINT
);
CREATE INDEX api_tokens_org ON api_tokens(org_id);

-- Creator profiles are global; everything an organization adds about them is scoped.
CREATE TABLE creators (
    id          INTEGER PRIMARY KEY,
    creator_key TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    country     TEXT,
    language    TEXT,
    email       TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE platform_accounts (
    id            INTEGER PRIMARY KEY,
    creator_id    BIGINT NOT NULL REFERENCES creators(id) ON DELETE CASCADE,
    platform      TEXT NOT NULL,
    handle        TEXT NOT NULL,
    bio           TEXT NOT NULL,
    followers     BIGINT NOT NULL,
    following     BIGINT NOT NULL,
    post_count    BIGINT NOT NULL,
    niche         TEXT,
    er            DOUBLE PRECISION,
    er_views      DOUBLE PRECISION,
    last_post_at  BIGINT,
    updated_at    BIGINT NOT NULL,
    UNIQUE (platform, handle)
);
CREATE INDEX platform_accounts_creator ON platform_accounts(creator_id);
CREATE INDEX platform_accounts_followers ON platform_accounts(followers);
CREATE INDEX platform_accounts_updated ON platform_accounts(updated_at);

CREATE TABLE posts (
    id              INTEGER PRIMARY KEY,
    account_id      BIGINT NOT NULL REFERENCES platform_accounts(id) ON DELETE CASCADE,
    external_id     TEXT NOT NULL,
    caption         TEXT NOT NULL,
    hashtags        TEXT NOT NULL,
    published_at    BIGINT NOT NULL,
    likes           BIGINT NOT NULL,
    comments        BIGINT NOT NULL,
    views           BIGINT,
    comment_samples TEXT,
    UNIQUE (account_id, external_id)
);
CREATE INDEX posts_account_time ON posts(account_id, published_at);

-- Series and samples are read whole, so each account keeps one JSON document of each.
CREATE TABLE follower_history (
    account_id  BIGINT PRIMARY KEY REFERENCES platform_accounts(id) ON DELETE CASCADE,
    points      TEXT NOT NULL
);

CREATE TABLE audiences (
    account_id  BIGINT PRIMARY KEY REFERENCES platform_accounts(id) ON DELETE CASCADE,
    source      TEXT NOT NULL CHECK (source IN ('estimated','creator_authorized')),
    as_of       TEXT NOT NULL,
    countries   TEXT NOT NULL,
    ages        TEXT NOT NULL,
    genders     TEXT NOT NULL,
    languages   TEXT NOT NULL
);

CREATE TABLE follower_samples (
    account_id  BIGINT PRIMARY KEY REFERENCES platform_accounts(id) ON DELETE CASCADE,
    profiles    TEXT NOT NULL,
    size        BIGINT NOT NULL
);

CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    org_id      BIGINT REFERENCES organizations(id) ON DELETE CASCADE,
    user_id     BIGINT REFERENCES users(id) ON DELETE SET NULL,
    kind        TEXT NOT NULL,
    source      TEXT NOT NULL,
    rows_total  BIGINT NOT NULL,
    inserted    BIGINT NOT NULL,
    updated     BIGINT NOT NULL,
    failed      BIGINT NOT NULL,
    errors      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX imports_org ON imports(org_id);
