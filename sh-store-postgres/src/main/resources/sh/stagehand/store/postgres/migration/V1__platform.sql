-- The platform's own records. Build databases live beside this one, never in it.

CREATE TABLE project (
    id               text PRIMARY KEY,
    repository_url   text        NOT NULL,
    repository_token text,
    webhook_secret   text        NOT NULL,
    created_at       timestamptz NOT NULL
);

CREATE TABLE branch (
    project_id       text   NOT NULL REFERENCES project (id) ON DELETE CASCADE,
    name             text   NOT NULL,
    stage            text   NOT NULL CHECK (stage IN ('DEVELOPMENT', 'STAGING', 'PRODUCTION')),
    module_selection text   NOT NULL CHECK (module_selection IN ('OWN_MODULES', 'ALL', 'EXPLICIT')),
    explicit_modules text[] NOT NULL DEFAULT '{}',
    test_tags        text,
    PRIMARY KEY (project_id, name)
);

-- Odoo.sh: a project has exactly one production branch.
CREATE UNIQUE INDEX branch_one_production ON branch (project_id) WHERE stage = 'PRODUCTION';

CREATE TABLE build (
    id            bigserial PRIMARY KEY,
    project_id    text        NOT NULL REFERENCES project (id) ON DELETE CASCADE,
    branch        text        NOT NULL,
    commit_id     text        NOT NULL,
    stage         text        NOT NULL,
    state         text        NOT NULL,
    verdict       text,
    database_name text        NOT NULL,
    hostname      text        NOT NULL,
    smtp_password text        NOT NULL,
    container_id  text,
    host_port     integer,
    message       text,
    created_at    timestamptz NOT NULL,
    started_at    timestamptz,
    finished_at   timestamptz
);

CREATE INDEX build_branch ON build (project_id, branch, id DESC);
CREATE INDEX build_state ON build (state);

CREATE TABLE event (
    id         bigserial PRIMARY KEY,
    project_id text        NOT NULL REFERENCES project (id) ON DELETE CASCADE,
    branch     text,
    build_id   bigint,
    kind       text        NOT NULL,
    message    text        NOT NULL,
    at         timestamptz NOT NULL
);

CREATE INDEX event_project ON event (project_id, id DESC);

CREATE TABLE webhook_delivery (
    project_id  text        NOT NULL REFERENCES project (id) ON DELETE CASCADE,
    delivery_id text        NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, delivery_id)
);

CREATE TABLE captured_mail (
    id                  bigserial PRIMARY KEY,
    build_id            text        NOT NULL,
    received_at         timestamptz NOT NULL,
    envelope_from       text        NOT NULL,
    envelope_recipients text[]      NOT NULL,
    subject             text        NOT NULL,
    from_header         text        NOT NULL,
    to_header           text        NOT NULL,
    text_body           text,
    html_body           text,
    raw_message         bytea       NOT NULL
);

CREATE INDEX captured_mail_build ON captured_mail (build_id, id);
