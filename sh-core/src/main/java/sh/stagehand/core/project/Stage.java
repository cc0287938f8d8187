package sh.stagehand.core.project;

/**
 * What a push to a branch does, as on Odoo.sh.
 */
public enum Stage
{
    /** Each push: a fresh database with demo data, the branch's modules installed, tests run. */
    DEVELOPMENT,
    /** Each push: a neutralized copy of production, updated to the new code. */
    STAGING,
    /** Each push: the server restarted on the new code, changed modules updated, rolled back on failure. */
    PRODUCTION,
}
