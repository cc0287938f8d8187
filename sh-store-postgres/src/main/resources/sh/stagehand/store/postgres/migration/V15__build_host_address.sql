-- Where a build's server port answers: null for the loopback address (the platform's own engine),
-- a node's address on a cluster.
ALTER TABLE build ADD COLUMN host_address text;
