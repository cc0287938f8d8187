package sh.stagehand.github;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.URIish;
import sh.stagehand.spi.Sha256;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.BranchHead;
import sh.stagehand.spi.vcs.RemoteRepository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * The bare mirrors of a {@link GitVcsProvider}, one per remote URL under the cache directory (its
 * branches as {@code refs/heads/*}): where each one is, opening or creating it, the lock that
 * serializes the operations on it, and the reads of a commit that every operation shares.
 * Thread-safe.
 */
final class MirrorCache
        implements AutoCloseable
{
    static final String HEADS = Constants.R_HEADS;

    private final Path directory;
    private final Map<Path, Repository> repositories = new ConcurrentHashMap<>();
    private final Map<Path, Object> locks = new ConcurrentHashMap<>();

    /**
     * @param directory absolute; created if absent
     */
    MirrorCache(Path directory)
    {
        this.directory = requireNonNull(directory, "directory is null");
        try {
            Files.createDirectories(directory);
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, "Cannot create the git cache " + directory + ": " + e + "; point "
                    + GitConfig.CACHE_DIRECTORY + " at a writable directory", e);
        }
    }

    /**
     * The mirror of {@code remote}: a readable name, then a hash of its whole URL.
     */
    Path pathOf(RemoteRepository remote)
    {
        String url = remote.url();
        String readable;
        try {
            readable = new URIish(url).getHumanishName();
        }
        catch (URISyntaxException | IllegalArgumentException e) {
            readable = "repository";
        }
        readable = readable.replaceAll("[^a-zA-Z0-9_.-]", "_");
        return directory.resolve(readable + "-" + Sha256.hex(url).substring(0, 16) + ".git");
    }

    /**
     * What operations on the mirror at {@code mirror} hold while they change it.
     */
    Object lockFor(Path mirror)
    {
        return locks.computeIfAbsent(mirror, path -> new Object());
    }

    /**
     * The mirror at {@code mirror}, created empty (remembering the URL of {@code remote}) if absent.
     */
    Repository openOrInit(Path mirror, RemoteRepository remote)
    {
        return repositories.computeIfAbsent(mirror, path -> {
            try {
                if (!Files.isDirectory(path)) {
                    Git.init().setBare(true).setDirectory(path.toFile()).call().close();
                    Files.writeString(path.resolve("stagehand-remote"), remote.url() + "\n");
                }
                return new FileRepositoryBuilder().setGitDir(path.toFile()).setMustExist(true).build();
            }
            catch (IOException | GitAPIException e) {
                throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot open the git cache " + path + " of " + remote + ": " + e, e);
            }
        });
    }

    /**
     * The mirror of a remote fetched before.
     *
     * @throws StagehandException {@code NOT_FOUND} if it never was
     */
    Repository fetched(RemoteRepository remote)
    {
        Path mirror = pathOf(remote);
        if (!Files.isDirectory(mirror)) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, remote + " was never fetched; fetch it first");
        }
        return openOrInit(mirror, remote);
    }

    /**
     * A first fetch that failed must not leave an empty mirror that looks like a repository
     * without branches: removes it, and returns {@code failure}.
     */
    StagehandException forgetFailedClone(boolean firstFetch, Path mirror, StagehandException failure)
    {
        if (firstFetch) {
            Repository repository = repositories.remove(mirror);
            if (repository != null) {
                repository.close();
            }
            try (Stream<Path> paths = Files.walk(mirror)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
            catch (IOException e) {
                failure.addSuppressed(e);
            }
        }
        return failure;
    }

    static List<BranchHead> branchHeads(Repository repository)
    {
        try {
            return repository.getRefDatabase().getRefsByPrefix(HEADS).stream()
                    .filter(ref -> ref.getObjectId() != null)
                    .map(ref -> new BranchHead(ref.getName().substring(HEADS.length()), ref.getObjectId().name()))
                    .sorted(Comparator.comparing(BranchHead::name))
                    .toList();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @throws StagehandException {@code NOT_FOUND} if {@code commitId} is not the full id of a
     *         commit of the mirror
     */
    static RevCommit parseCommit(Repository repository, RemoteRepository remote, String commitId)
    {
        requireNonNull(commitId, "commitId is null");
        try (RevWalk walk = new RevWalk(repository)) {
            return walk.parseCommit(ObjectId.fromString(commitId));
        }
        catch (IllegalArgumentException | MissingObjectException | IncorrectObjectTypeException e) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No commit " + commitId + " in " + remote + "; pass a full commit id, and fetch first if it was just pushed", e);
        }
        catch (IOException e) {
            throw readFailure(remote, e);
        }
    }

    static StagehandException readFailure(RemoteRepository remote, IOException e)
    {
        return new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot read the git cache of " + remote + ": " + e, e);
    }

    @Override
    public void close()
    {
        repositories.values().forEach(Repository::close);
        repositories.clear();
    }
}
