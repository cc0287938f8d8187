-- Whether a branch's builds run scheduled actions (Odoo's cron threads); off by default, as on
-- Odoo.sh's development builds.
ALTER TABLE branch ADD COLUMN crons_enabled boolean NOT NULL DEFAULT false;
