-- The last head seen of each branch, so that polling acts only on heads that moved.
ALTER TABLE branch ADD COLUMN head_commit text;
