-- Where the platform writes to a person (production down), if they gave an address.
ALTER TABLE account ADD COLUMN email text;

-- Production's availability as the platform probes it: each hour's probes by what they found.
CREATE TABLE production_uptime (
    project_id  text        NOT NULL,
    hour        timestamptz NOT NULL,
    up          integer     NOT NULL DEFAULT 0,
    down        integer     NOT NULL DEFAULT 0,
    maintenance integer     NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, hour)
);
