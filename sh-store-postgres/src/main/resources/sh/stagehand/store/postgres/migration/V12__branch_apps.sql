-- The Odoo apps a branch's builds install besides its modules (the Apps tab), in the order chosen.
ALTER TABLE branch ADD COLUMN apps text[] NOT NULL DEFAULT '{}';
