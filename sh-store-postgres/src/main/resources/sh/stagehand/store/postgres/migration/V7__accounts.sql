-- Accounts and what hangs on them. Secrets are never stored: sessions and tokens by their SHA-256,
-- passwords by their Argon2id hash.

CREATE TABLE account (
    login          text PRIMARY KEY,
    name           text        NOT NULL,
    password_hash  text        NOT NULL,
    platform_admin boolean     NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL
);

CREATE TABLE account_session (
    id_hash      text PRIMARY KEY,
    login        text        NOT NULL REFERENCES account (login) ON DELETE CASCADE,
    csrf_token   text        NOT NULL,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL
);

CREATE INDEX account_session_login ON account_session (login);

CREATE TABLE api_token (
    id           text PRIMARY KEY,
    login        text        NOT NULL REFERENCES account (login) ON DELETE CASCADE,
    name         text        NOT NULL,
    hash         text        NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz
);

CREATE INDEX api_token_login ON api_token (login);

CREATE TABLE collaborator (
    project_id text NOT NULL REFERENCES project (id) ON DELETE CASCADE,
    login      text NOT NULL REFERENCES account (login) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('ADMIN', 'TESTER', 'DEVELOPER')),
    PRIMARY KEY (project_id, login)
);

CREATE INDEX collaborator_login ON collaborator (login);

-- A key is one account's only: SSH access tells its users apart by their keys.
CREATE TABLE ssh_key (
    fingerprint text PRIMARY KEY,
    login       text        NOT NULL REFERENCES account (login) ON DELETE CASCADE,
    type        text        NOT NULL,
    public_key  text        NOT NULL,
    title       text        NOT NULL,
    added_at    timestamptz NOT NULL
);

CREATE INDEX ssh_key_login ON ssh_key (login);

CREATE TABLE audit_event (
    id         bigserial PRIMARY KEY,
    project_id text,
    actor      text        NOT NULL,
    action     text        NOT NULL,
    detail     text        NOT NULL,
    at         timestamptz NOT NULL
);

CREATE INDEX audit_event_project ON audit_event (project_id, id DESC);
