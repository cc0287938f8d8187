/**
 * Git for Stagehand: the {@link sh.stagehand.spi.vcs.VcsProvider} on JGit for any git remote
 * ({@code vcs.type=git}): local paths and bare repositories, https with a token, ssh with each
 * project's deploy key, every URL checked before anything connects; and GitHub's webhooks and
 * commit statuses.
 */
package sh.stagehand.github;
