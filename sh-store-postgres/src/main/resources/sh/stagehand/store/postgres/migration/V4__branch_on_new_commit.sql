-- What a push to the branch does (Odoo.sh's "behaviour upon new commit").

ALTER TABLE branch ADD COLUMN on_new_commit text NOT NULL DEFAULT 'NEW_BUILD'
    CHECK (on_new_commit IN ('NEW_BUILD', 'UPDATE_PREVIOUS', 'DO_NOTHING'));

-- Staging branches recorded before: staging's default.
UPDATE branch SET on_new_commit = 'UPDATE_PREVIOUS' WHERE stage = 'STAGING';
