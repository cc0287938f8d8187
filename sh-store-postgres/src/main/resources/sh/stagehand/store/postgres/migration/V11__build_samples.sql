-- The builds' samples over time (monitoring): each round's raw samples, and hours rolled up from
-- them once old. A figure the platform could not read is NULL.
CREATE TABLE build_samples (
    project_id      text             NOT NULL,
    branch          text             NOT NULL,
    build_id        bigint           NOT NULL,
    at              timestamptz      NOT NULL,
    period_ms       bigint           NOT NULL CHECK (period_ms > 0),
    hourly          boolean          NOT NULL,
    cpus            double precision,
    memory_bytes    bigint,
    database_bytes  bigint,
    filestore_bytes bigint,
    successes       bigint           NOT NULL,
    errors          bigint           NOT NULL,
    limited         bigint           NOT NULL,
    p50_ms          double precision,
    p95_ms          double precision,
    concurrent      integer          NOT NULL,
    mails_sent      bigint           NOT NULL,
    mails_caught    bigint           NOT NULL
);

CREATE INDEX build_samples_branch ON build_samples (project_id, branch, hourly, at);
CREATE INDEX build_samples_raw_at ON build_samples (at) WHERE NOT hourly;
