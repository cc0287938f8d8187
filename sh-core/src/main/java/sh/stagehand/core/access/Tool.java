package sh.stagehand.core.access;

/**
 * What a collaborator uses on a branch's builds, as Odoo.sh's tabs and buttons: each stage gives
 * each {@link Role} some of them ({@link AccessPolicy}).
 */
public enum Tool
{
    /** Open the build's Odoo (its URL, its host name). */
    CONNECT,
    /** The branch's commits and the platform's events. */
    HISTORY,
    /** The builds and their states and verdicts. */
    STATUS,
    /** The builds' logs (pip, install, odoo, update, neutralize, import). */
    LOGS,
    /** The mail the builds sent, caught. */
    MAILS,
    /** A shell in the build's container (the web shell, SSH). */
    SHELL,
    /** The online editor: the build's sources, read; changed, restarted and committed where its stage allows. */
    EDITOR,
    /** The build's resources and traffic over time (CPU, memory, storage, requests, mail). */
    MONITOR,
    /** The Odoo apps the build offers, listed and installed (on production, through an update). */
    APPS,
    /** The branch's settings and what changes its builds: rebuild, discard, stage moves, merges into it, pushes to it. */
    SETTINGS,
    /** Production's backups: list, take, download, restore; and imports into a branch. */
    BACKUPS,
}
