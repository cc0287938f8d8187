-- The apps production uninstalls at its next update (the Apps tab), in the order asked.
ALTER TABLE branch ADD COLUMN apps_to_remove text[] NOT NULL DEFAULT '{}';
