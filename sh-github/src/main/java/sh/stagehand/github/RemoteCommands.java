package sh.stagehand.github;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.github.internal.RemoteAccess;
import sh.stagehand.github.internal.RepositoryUrlPolicy;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.RemoteRepository;

import java.nio.file.Path;
import java.security.Security;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.github.MirrorCache.HEADS;

/**
 * The git commands of a {@link GitVcsProvider} that contact a remote: a fetch into its mirror, the
 * listing of its references, a push. Each one's URL is checked by the {@link RepositoryUrlPolicy}
 * before anything connects ({@link #access}), logs in with the repository's token or deploy key
 * alone, and fails as {@link RemoteFailures} tells. Thread-safe.
 */
final class RemoteCommands
{
    private static final Logger log = LoggerFactory.getLogger(RemoteCommands.class);

    private final RepositoryUrlPolicy policy;
    private final Path sshDirectory;
    private final Duration timeout;

    /**
     * @param sshDirectory an empty home for the ssh client, and each project's pinned host keys
     */
    RemoteCommands(RepositoryUrlPolicy policy, Path sshDirectory, Duration timeout)
    {
        this.policy = requireNonNull(policy, "policy is null");
        this.sshDirectory = requireNonNull(sshDirectory, "sshDirectory is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        // A name is checked, then resolved again by the JDK as https connects: its cache of
        // answers is what keeps the two the same (the connected address is checked too).
        String dnsCache = Optional.ofNullable(Security.getProperty("networkaddress.cache.ttl")).orElse(System.getProperty("sun.net.inetaddr.ttl", ""));
        if (dnsCache.strip().equals("0")) {
            log.warn("The JDK caches no DNS answers (networkaddress.cache.ttl=0): a repository host's name may resolve differently between its check and its "
                    + "connection; https connections are still checked at the address they reach");
        }
    }

    /**
     * How an operation on this remote connects, checked against the policy before anything does.
     * A repository's own path is the platform's choice (a hosted repository, or one a platform
     * administrator named), but always an absolute one: a relative path is a URL that JGit read
     * differently than its author meant ("HTTPS://../.."). Close it after the operation.
     */
    RemoteAccess access(RemoteRepository remote)
    {
        RemoteAccess access = RemoteAccess.open(policy, remote, remote.url(), sshDirectory, timeout);
        if (access.target() instanceof RepositoryUrlPolicy.Local && !isAbsoluteLocal(remote.url())) {
            access.close();
            throw RepositoryUrlPolicy.refused(remote.url(), "it is neither a URL the platform reads nor an absolute path on its disk");
        }
        return access;
    }

    /**
     * Fetches every branch of {@code remote} into {@code mirror}, removing those it deleted.
     *
     * @param access the remote's, from {@link #access}
     */
    void fetch(RemoteAccess access, Repository mirror, RemoteRepository remote)
    {
        try (Git git = Git.wrap(mirror)) {
            git.fetch()
                    .setRemote(remote.url())
                    .setRefSpecs(new RefSpec("+" + HEADS + "*:" + HEADS + "*"))
                    .setRemoveDeletedRefs(true)
                    // A remote's objects are not trusted: malformed trees (duplicate or '..' entries) are refused.
                    .setCheckFetchedObjects(true)
                    .setTimeout((int) timeout.toSeconds())
                    .setCredentialsProvider(credentials(remote))
                    .setTransportConfigCallback(access)
                    .call();
        }
        catch (GitAPIException | RuntimeException e) {
            throw RemoteFailures.of(access, remote, "fetch", e);
        }
    }

    /**
     * The branch the remote's {@code HEAD} names, asked of the remote itself.
     */
    Optional<String> defaultBranch(RemoteRepository remote)
    {
        Map<String, Ref> advertised;
        try (RemoteAccess access = access(remote)) {
            try {
                advertised = Git.lsRemoteRepository()
                        .setRemote(remote.url())
                        .setHeads(false)
                        .setTimeout((int) timeout.toSeconds())
                        .setCredentialsProvider(credentials(remote))
                        .setTransportConfigCallback(access)
                        .callAsMap();
            }
            catch (GitAPIException | RuntimeException e) {
                throw RemoteFailures.of(access, remote, "list the references of", e);
            }
        }
        Ref head = advertised.get(Constants.HEAD);
        if (head == null) {
            return Optional.empty();
        }
        if (head.isSymbolic() && head.getTarget().getName().startsWith(HEADS)) {
            return Optional.of(head.getTarget().getName().substring(HEADS.length()));
        }
        // A transport that does not send the symbolic reference: the one branch at HEAD's commit.
        List<String> atHead = advertised.values().stream()
                .filter(ref -> ref.getName().startsWith(HEADS) && ref.getObjectId() != null && ref.getObjectId().equals(head.getObjectId()))
                .map(ref -> ref.getName().substring(HEADS.length()))
                .sorted()
                .toList();
        return atHead.size() == 1 ? Optional.of(atHead.get(0)) : atHead.stream().filter(name -> name.equals("main") || name.equals("master")).findFirst();
    }

    /**
     * Pushes {@code commit} of {@code mirror} to branch {@code target} of the remote, as a fast
     * forward only.
     *
     * @throws StagehandException {@code CONFLICT} if the branch moved meanwhile
     */
    void push(Repository mirror, RemoteRepository remote, ObjectId commit, String target)
    {
        Iterable<PushResult> results;
        try (RemoteAccess access = access(remote); Git git = Git.wrap(mirror)) {
            try {
                results = git.push()
                        .setRemote(remote.url())
                        .setRefSpecs(new RefSpec(commit.name() + ":" + HEADS + target))
                        .setForce(false)
                        .setAtomic(true)
                        .setTimeout((int) timeout.toSeconds())
                        .setCredentialsProvider(credentials(remote))
                        .setTransportConfigCallback(access)
                        .call();
            }
            catch (GitAPIException | RuntimeException e) {
                throw RemoteFailures.of(access, remote, "push " + target + " to", e);
            }
        }
        for (PushResult result : results) {
            for (RemoteRefUpdate update : result.getRemoteUpdates()) {
                switch (update.getStatus()) {
                    case OK, UP_TO_DATE -> { }
                    case REJECTED_NONFASTFORWARD, REJECTED_REMOTE_CHANGED -> throw new StagehandException(StandardErrorCode.CONFLICT,
                            "Branch " + target + " of " + remote + " moved meanwhile; nothing was pushed. Try again");
                    default -> throw new StagehandException(StandardErrorCode.PERMISSION_DENIED, "The remote " + remote + " refused the push of " + target + ": "
                            + update.getStatus() + (update.getMessage() == null ? "" : " (" + update.getMessage() + ")"));
                }
            }
        }
    }

    private static boolean isAbsoluteLocal(String url)
    {
        return url.startsWith("/") || url.startsWith("file:///");
    }

    private static UsernamePasswordCredentialsProvider credentials(RemoteRepository remote)
    {
        return remote.token().map(token -> new UsernamePasswordCredentialsProvider("x-access-token", token)).orElse(null);
    }
}
