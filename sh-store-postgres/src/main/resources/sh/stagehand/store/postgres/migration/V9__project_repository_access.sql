-- How the platform reaches a project's repository beyond its URL: the project's own ssh key pair
-- (its deploy key: the public half shown to the customer, the private half a secret, like
-- repository_token), and for a repository kept on the platform's disk (hosted), the URL its users
-- clone it from, which its relative submodule URLs resolve against.

ALTER TABLE project ADD COLUMN deploy_public_key text;
ALTER TABLE project ADD COLUMN deploy_private_key text;
ALTER TABLE project ADD COLUMN hosted_url text;
ALTER TABLE project ADD CONSTRAINT project_deploy_key_whole CHECK ((deploy_public_key IS NULL) = (deploy_private_key IS NULL));
