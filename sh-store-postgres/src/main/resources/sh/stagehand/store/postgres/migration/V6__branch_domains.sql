-- A branch's custom domains (Odoo.sh's branch setting). A domain is one branch's only: the
-- primary key says so across every project.
CREATE TABLE branch_domain (
    domain      text PRIMARY KEY,
    project_id  text NOT NULL,
    branch_name text NOT NULL,
    position    integer NOT NULL,
    FOREIGN KEY (project_id, branch_name) REFERENCES branch (project_id, name) ON DELETE CASCADE
);

CREATE INDEX branch_domain_branch ON branch_domain (project_id, branch_name);
