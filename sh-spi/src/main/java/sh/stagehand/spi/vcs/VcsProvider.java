package sh.stagehand.spi.vcs;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a project's git repository through a local cache.
 *
 * <p>{@link #fetch} brings the cache up to date with the remote; every other method reads the cache
 * only, so it is fast and works while the remote is down. Revisions are full commit ids, or
 * branch names where a method says so. Implementations are thread-safe; concurrent calls for one
 * repository are serialized.
 *
 * <p>A repository URL is a tenant's: before anything connects where one points (a fetch, a push,
 * a submodule), an implementation checks it against its policy and refuses, with
 * {@code INVALID_ARGUMENT}, what reaches inside the platform (loopback, private and link-local
 * addresses, the platform's own). What a remote answered is never repeated in an error: an
 * unreachable host and one that refuses look alike.
 */
public interface VcsProvider
        extends AutoCloseable
{
    /**
     * Clones the repository into the cache on first use, fetches every branch after that.
     *
     * @return the branch heads after the fetch, sorted by name
     * @throws StagehandException {@code INVALID_ARGUMENT} if the URL is refused (nothing was
     *         contacted); {@code PROVIDER_UNAVAILABLE} if the remote cannot be reached;
     *         {@code PERMISSION_DENIED} if it refuses the credentials; {@code NOT_FOUND} if there is no
     *         repository at that URL
     */
    List<BranchHead> fetch(RemoteRepository repository);

    /**
     * Asks the remote which branch is its default (the one its {@code HEAD} points to: GitHub's
     * "default branch").
     *
     * @return the branch, or empty if the remote does not say
     * @throws StagehandException {@code PROVIDER_UNAVAILABLE} if the remote cannot be reached;
     *         {@code PERMISSION_DENIED} if it refuses the credentials; {@code NOT_FOUND} if there is no
     *         repository at that URL
     */
    default Optional<String> defaultBranch(RemoteRepository repository)
    {
        return Optional.empty();
    }

    /**
     * @return the cached branch heads, sorted by name
     * @throws StagehandException {@code NOT_FOUND} if the repository was never fetched
     */
    List<BranchHead> branches(RemoteRepository repository);

    /**
     * @param revision a commit id (full or abbreviated) or a branch name
     * @return the full commit id
     * @throws StagehandException {@code NOT_FOUND} if the cache holds no such revision
     */
    String resolve(RemoteRepository repository, String revision);

    /**
     * Writes the tree of {@code commitId}, with its submodules at their recorded commits, into
     * {@code target}, which must not exist or be empty. The result holds no {@code .git} metadata
     * that a build could write back through.
     *
     * @return the paths, relative to {@code target} and '/'-separated, of the submodules written
     *         (the commit's gitlinks, and theirs under them), sorted: which directories hold
     *         another repository's code
     * @throws StagehandException {@code NOT_FOUND} for an unknown commit; {@code ALREADY_EXISTS}
     *         if {@code target} is not empty; {@code PROVIDER_UNAVAILABLE} if a submodule's remote
     *         cannot be reached; {@code INVALID_ARGUMENT} or {@code PERMISSION_DENIED} if a
     *         submodule's URL is refused (one on the platform's disk, unless the repository itself
     *         is a local one the platform did not make for a tenant)
     */
    List<String> checkout(RemoteRepository repository, String commitId, Path target);

    /**
     * The commits a branch gained when it moved from {@code fromCommitId} to {@code toCommitId}
     * (those reachable from the latter and not from the former; the latter's own history when there
     * is no former), for a history of pushes seen by polling.
     *
     * @param limit the most commits returned: the newest ones
     * @return oldest first
     * @throws StagehandException {@code NOT_FOUND} for an unknown {@code toCommitId}
     */
    default List<CommitInfo> commits(RemoteRepository repository, Optional<String> fromCommitId, String toCommitId, int limit)
    {
        return List.of();
    }

    /**
     * Merges branch {@code source} into branch {@code target} on the remote, as Odoo.sh merges a
     * branch dragged onto another: the remote is fetched first; a fast-forward where the target is
     * behind, else a merge commit "Merge branch 'source' into target" by {@code authorName} and
     * {@code authorEmail}; then the target is pushed, never forced. Only code moves.
     *
     * @throws StagehandException {@code CONFLICT} if the branches conflict (the paths are named)
     *         or the target moved on the remote meanwhile: nothing is pushed; {@code NOT_FOUND} for
     *         an unknown branch; {@code PERMISSION_DENIED} if the remote refuses the push;
     *         {@code NOT_SUPPORTED} if this provider cannot push
     */
    default MergeResult merge(RemoteRepository repository, String source, String target, String authorName, String authorEmail)
    {
        throw new StagehandException(StandardErrorCode.NOT_SUPPORTED, getClass().getSimpleName() + " cannot merge branches of " + repository);
    }

    /**
     * Commits files on a branch and pushes it, as a person who edited them would (the online
     * editor): a commit whose parent is {@code parentCommitId}, the branch's head, with the parent's
     * tree and {@code files} written over it (new paths added, a file's mode kept), by
     * {@code authorName} and {@code authorEmail}; then the branch is pushed, never forced. The
     * remote is fetched first.
     *
     * @param files paths relative to the repository's root, '/'-separated, to their new content
     * @return the new commit's id
     * @throws StagehandException {@code CONFLICT} if the branch's head is not {@code parentCommitId}
     *         (it moved on) or moves meanwhile: nothing is pushed; {@code INVALID_ARGUMENT} for no
     *         file, a path that is not a plain relative one (or within {@code .git}, or where the
     *         tree has a directory or a submodule), or content equal to the parent's;
     *         {@code NOT_FOUND} for an unknown branch or commit; {@code PERMISSION_DENIED} if the
     *         remote refuses the push; {@code NOT_SUPPORTED} if this provider cannot push
     */
    default String commit(RemoteRepository repository, String branch, String parentCommitId, Map<String, byte[]> files, String authorName, String authorEmail, String message)
    {
        throw new StagehandException(StandardErrorCode.NOT_SUPPORTED, getClass().getSimpleName() + " cannot commit to " + repository);
    }

    /**
     * Whether {@code path} is one {@link #commit} takes: relative, '/'-separated, no empty, {@code .}
     * or {@code ..} part, no {@code .git} part, no control character.
     */
    static boolean isPlainPath(String path)
    {
        if (path == null || path.isEmpty() || path.length() > 4096 || path.startsWith("/") || path.endsWith("/")) {
            return false;
        }
        for (String part : path.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..") || part.equalsIgnoreCase(".git")) {
                return false;
            }
        }
        return path.chars().noneMatch(c -> c < 0x20 || c == 0x7f || c == '\\');
    }

    /**
     * Checks that a webhook delivery comes from the code host (its signature over the raw body,
     * computed with the project's secret, compared in constant time) and says what it means.
     *
     * @throws StagehandException {@code UNAUTHENTICATED} if the signature is missing or wrong:
     *         nothing in the request may be acted on; {@code INVALID_ARGUMENT} if a signed body is
     *         malformed; {@code NOT_SUPPORTED} if this provider has no webhooks (then the platform polls)
     */
    default WebhookEvent parseWebhook(WebhookRequest request, String secret)
    {
        throw new StagehandException(StandardErrorCode.NOT_SUPPORTED, getClass().getSimpleName() + " does not receive webhooks; poll the repository instead");
    }

    /**
     * Shows a build's state beside the commit on the code host. Safe to call repeatedly: the latest
     * status of a context wins.
     *
     * @throws StagehandException {@code NOT_SUPPORTED} if the repository's host takes no statuses;
     *         {@code PERMISSION_DENIED} if it refuses the token; {@code PROVIDER_UNAVAILABLE} if it
     *         cannot be reached
     */
    default void reportStatus(RemoteRepository repository, String commitId, CommitStatus status)
    {
        throw new StagehandException(StandardErrorCode.NOT_SUPPORTED, getClass().getSimpleName() + " cannot report commit statuses for " + repository);
    }

    /**
     * Makes a new ssh key pair for one project's repository (its deploy key), for
     * {@link RemoteRepository#deployKey()}.
     *
     * @param comment ends the public key's line, so that its owner recognizes it (the project's id)
     * @throws StagehandException {@code NOT_SUPPORTED} if this provider does not speak ssh
     */
    default DeployKey newDeployKey(String comment)
    {
        throw new StagehandException(StandardErrorCode.NOT_SUPPORTED, getClass().getSimpleName() + " makes no ssh keys");
    }

    @Override
    void close();
}
