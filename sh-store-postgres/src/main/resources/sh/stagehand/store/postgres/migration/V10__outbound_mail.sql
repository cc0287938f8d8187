-- Production's mail on its way to the relay: accepted at once, sent when the relay takes it.
CREATE TABLE outbound_mail (
    id                  bigserial PRIMARY KEY,
    project_id          text        NOT NULL,
    build_id            text        NOT NULL,
    queued_at           timestamptz NOT NULL,
    envelope_from       text        NOT NULL,
    envelope_recipients text[]      NOT NULL,
    subject             text        NOT NULL,
    from_header         text        NOT NULL,
    to_header           text        NOT NULL,
    text_body           text,
    html_body           text,
    raw_message         bytea       NOT NULL,
    state               text        NOT NULL CHECK (state IN ('QUEUED', 'SENT', 'BOUNCED')),
    attempts            integer     NOT NULL DEFAULT 0,
    next_attempt_at     timestamptz,
    last_error          text,
    finished_at         timestamptz
);

CREATE INDEX outbound_mail_due ON outbound_mail (next_attempt_at, id) WHERE state = 'QUEUED';
CREATE INDEX outbound_mail_project ON outbound_mail (project_id, id);
