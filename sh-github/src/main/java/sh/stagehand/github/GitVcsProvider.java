package sh.stagehand.github;

import org.eclipse.jgit.errors.AmbiguousObjectException;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.RevisionSyntaxException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import sh.stagehand.github.internal.DeployKeys;
import sh.stagehand.github.internal.GitHubStatusReporter;
import sh.stagehand.github.internal.GitHubWebhooks;
import sh.stagehand.github.internal.RemoteAccess;
import sh.stagehand.github.internal.RepositoryUrlPolicy;
import sh.stagehand.spi.ProviderFactory;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.BranchHead;
import sh.stagehand.spi.vcs.CommitInfo;
import sh.stagehand.spi.vcs.CommitStatus;
import sh.stagehand.spi.vcs.DeployKey;
import sh.stagehand.spi.vcs.MergeResult;
import sh.stagehand.spi.vcs.RemoteRepository;
import sh.stagehand.spi.vcs.VcsProvider;
import sh.stagehand.spi.vcs.WebhookEvent;
import sh.stagehand.spi.vcs.WebhookRequest;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.github.MirrorCache.HEADS;
import static sh.stagehand.github.MirrorCache.parseCommit;
import static sh.stagehand.github.MirrorCache.readFailure;

/**
 * A {@link VcsProvider} on JGit. Each remote is mirrored into a bare repository of its own under the
 * cache directory (its branches as {@code refs/heads/*}); submodules are remotes like any other, so
 * a library shared by several projects is fetched once. Thread-safe: operations on one remote are
 * serialized, different remotes proceed in parallel.
 *
 * <p>A repository URL is a tenant's: before anything connects, it is checked by a
 * {@link RepositoryUrlPolicy} (https or ssh to a host on the internet, or one of
 * {@link GitConfig#allowedHosts()}), redirects and submodules included. ssh logs in with the
 * repository's deploy key alone, never the platform's {@code ~/.ssh} or agent, and pins each
 * host's key per project at the first fetch. What a remote answered is never repeated in an
 * error, only logged.
 *
 * <p>Webhooks are GitHub's ({@code X-Hub-Signature-256}, {@code push} and {@code ping} events);
 * commit statuses are reported through GitHub's REST API for repositories hosted on GitHub.
 *
 * <p>Its parts: {@code MirrorCache} keeps the mirrors, {@code RemoteCommands} contacts remotes
 * (and {@code RemoteFailures} tells how that failed), {@code BranchMerger} merges and pushes,
 * {@code CommitCheckout} writes a commit into a workspace with its submodules
 * ({@code SubmoduleRemotes}).
 */
public final class GitVcsProvider
        implements VcsProvider
{
    /** {@code vcs.type=git}; see {@link GitConfig} for its keys. */
    public static final ProviderFactory<VcsProvider> FACTORY = ProviderFactory.of(VcsProvider.class, "git", GitConfig.KEYS, (config, context) -> {
        GitConfig gitConfig = GitConfig.fromMap(config);
        return new GitVcsProvider(gitConfig.cacheDirectory().orElse(context.dataDirectory().resolve("git-cache")), gitConfig.timeout(), gitConfig.githubApiUrl(), gitConfig.allowedHosts());
    });

    private final Path cacheDirectory;
    private final MirrorCache mirrors;
    private final RemoteCommands remotes;
    private final BranchMerger merger;
    private final FileCommitter committer;
    private final CommitCheckout checkout;
    private final GitHubWebhooks webhooks = new GitHubWebhooks();
    private final GitHubStatusReporter statusReporter;

    /**
     * A provider that reports commit statuses to {@link GitConfig#DEFAULT_GITHUB_API_URL}.
     */
    public GitVcsProvider(Path cacheDirectory, Duration timeout)
    {
        this(cacheDirectory, timeout, GitConfig.DEFAULT_GITHUB_API_URL);
    }

    /**
     * @param githubApiUrl GitHub's REST API, where commit statuses are reported; see {@link GitConfig#githubApiUrl()}
     */
    public GitVcsProvider(Path cacheDirectory, Duration timeout, URI githubApiUrl)
    {
        this(cacheDirectory, timeout, githubApiUrl, Set.of());
    }

    /**
     * @param allowedHosts hosts a repository URL may name although their addresses are inside;
     *         see {@link GitConfig#allowedHosts()}
     */
    public GitVcsProvider(Path cacheDirectory, Duration timeout, URI githubApiUrl, Set<String> allowedHosts)
    {
        this.cacheDirectory = requireNonNull(cacheDirectory, "cacheDirectory is null").toAbsolutePath();
        // Beside the mirrors ("*.git"): an empty home for the ssh client, and each project's pinned host keys.
        Path sshDirectory = this.cacheDirectory.resolve("ssh");
        requireNonNull(timeout, "timeout is null");
        this.remotes = new RemoteCommands(new RepositoryUrlPolicy(requireNonNull(allowedHosts, "allowedHosts is null")), sshDirectory, timeout);
        this.statusReporter = new GitHubStatusReporter(requireNonNull(githubApiUrl, "githubApiUrl is null"), GitHubStatusReporter.DEFAULT_TIMEOUT);
        this.mirrors = new MirrorCache(this.cacheDirectory);
        this.merger = new BranchMerger(mirrors, remotes);
        this.committer = new FileCommitter(mirrors, remotes);
        this.checkout = new CommitCheckout(mirrors, this::fetch);
    }

    @Override
    public List<BranchHead> fetch(RemoteRepository remote)
    {
        Path directory = mirrors.pathOf(remote);
        // Before anything is created or contacted: a refused URL leaves nothing behind.
        try (RemoteAccess access = remotes.access(remote)) {
            synchronized (mirrors.lockFor(directory)) {
                boolean firstFetch = !Files.isDirectory(directory);
                Repository repository = mirrors.openOrInit(directory, remote);
                try {
                    remotes.fetch(access, repository, remote);
                }
                catch (StagehandException e) {
                    throw mirrors.forgetFailedClone(firstFetch, directory, e);
                }
                return MirrorCache.branchHeads(repository);
            }
        }
    }

    @Override
    public Optional<String> defaultBranch(RemoteRepository remote)
    {
        return remotes.defaultBranch(remote);
    }

    @Override
    public List<CommitInfo> commits(RemoteRepository remote, Optional<String> fromCommitId, String toCommitId, int limit)
    {
        Repository repository = mirrors.fetched(remote);
        try (RevWalk walk = new RevWalk(repository)) {
            walk.markStart(walk.parseCommit(parseCommit(repository, remote, toCommitId).getId()));
            if (fromCommitId.isPresent()) {
                ObjectId from = repository.resolve(fromCommitId.get() + "^{commit}");
                // A former head the cache no longer has (a force-push that dropped it): all of the new history.
                if (from != null) {
                    walk.markUninteresting(walk.parseCommit(from));
                }
            }
            List<CommitInfo> newestFirst = new ArrayList<>();
            for (RevCommit commit : walk) {
                if (newestFirst.size() == limit) {
                    break;
                }
                newestFirst.add(new CommitInfo(commit.name(), commit.getFullMessage(), commit.getAuthorIdent().getName(), commit.getAuthorIdent().getEmailAddress()));
            }
            Collections.reverse(newestFirst);
            return newestFirst;
        }
        catch (IOException e) {
            throw readFailure(remote, e);
        }
    }

    @Override
    public MergeResult merge(RemoteRepository remote, String source, String target, String authorName, String authorEmail)
    {
        requireNonNull(source, "source is null");
        requireNonNull(target, "target is null");
        fetch(remote);
        return merger.merge(remote, source, target, authorName, authorEmail);
    }

    @Override
    public String commit(RemoteRepository remote, String branch, String parentCommitId, Map<String, byte[]> files, String authorName, String authorEmail, String message)
    {
        requireNonNull(branch, "branch is null");
        requireNonNull(parentCommitId, "parentCommitId is null");
        requireNonNull(message, "message is null");
        fetch(remote);
        return committer.commit(remote, branch, parentCommitId, Map.copyOf(files), authorName, authorEmail, message);
    }

    @Override
    public List<BranchHead> branches(RemoteRepository remote)
    {
        return MirrorCache.branchHeads(mirrors.fetched(remote));
    }

    @Override
    public String resolve(RemoteRepository remote, String revision)
    {
        requireNonNull(revision, "revision is null");
        Repository repository = mirrors.fetched(remote);
        try {
            Ref branch = repository.exactRef(HEADS + revision);
            if (branch != null) {
                return branch.getObjectId().name();
            }
            if (revision.matches("[0-9a-fA-F]{4,40}")) {
                ObjectId id = repository.resolve(revision + "^{commit}");
                if (id != null) {
                    return id.name();
                }
            }
        }
        catch (RevisionSyntaxException | AmbiguousObjectException | IncorrectObjectTypeException e) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "Revision '" + revision + "' of " + remote + " does not name one commit: " + e.getMessage(), e);
        }
        catch (IOException e) {
            throw readFailure(remote, e);
        }
        throw new StagehandException(StandardErrorCode.NOT_FOUND, "No branch or commit '" + revision + "' in " + remote + "; fetch it first if it was just pushed");
    }

    @Override
    public List<String> checkout(RemoteRepository remote, String commitId, Path target)
    {
        return checkout.checkout(remote, commitId, target);
    }

    @Override
    public DeployKey newDeployKey(String comment)
    {
        return DeployKeys.generate(requireNonNull(comment, "comment is null"));
    }

    @Override
    public WebhookEvent parseWebhook(WebhookRequest request, String secret)
    {
        return webhooks.parse(request, secret);
    }

    @Override
    public void reportStatus(RemoteRepository repository, String commitId, CommitStatus status)
    {
        statusReporter.report(repository, commitId, status);
    }

    @Override
    public void close()
    {
        mirrors.close();
    }

    @Override
    public String toString()
    {
        return "GitVcsProvider[" + cacheDirectory + "]";
    }
}
