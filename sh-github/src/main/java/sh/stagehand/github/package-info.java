/**
 * Git for Stagehand: the {@link sh.stagehand.spi.vcs.VcsProvider} on JGit for any git remote
 * ({@code vcs.type=git}): local paths and bare repositories, https with a token, ssh; and GitHub's
 * webhooks and commit statuses.
 */
package sh.stagehand.github;
