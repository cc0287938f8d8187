-- A trial project's production and staging branches go back to development at this time (Odoo.sh).

ALTER TABLE project ADD COLUMN trial_ends_at timestamptz;
