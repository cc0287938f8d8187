/**
 * Where a project's code comes from: any git remote, fetched into a cache, its branches listed,
 * its revisions checked out into build workspaces.
 */
package sh.stagehand.spi.vcs;
