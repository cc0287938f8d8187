package sh.stagehand.testkit.memory;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.BranchHead;
import sh.stagehand.spi.vcs.RemoteRepository;
import sh.stagehand.spi.vcs.VcsProvider;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A {@link VcsProvider} over repositories held in the JVM: a test {@link #commit}s files to a
 * branch of a URL, and the platform fetches, resolves and checks out what it committed. A commit
 * is the whole tree of its files; its id is the SHA-1 of its parent and tree. Thread-safe.
 */
public final class InMemoryVcsProvider
        implements VcsProvider
{
    private record Commit(Optional<String> parent, Map<String, String> files) {}

    private record Repository(Map<String, String> branches, Map<String, Commit> commits)
    {
        Repository()
        {
            this(new TreeMap<>(), new TreeMap<>());
        }
    }

    private final Map<String, Repository> repositories = new TreeMap<>();

    /**
     * Commits to {@code branch} of the repository at {@code url} (made on its first commit): the
     * branch's files with {@code changes} applied, a {@code null} content deleting a file.
     *
     * @return the new commit's id
     */
    public synchronized String commit(String url, String branch, Map<String, String> changes)
    {
        Repository repository = repositories.computeIfAbsent(url, ignored -> new Repository());
        Optional<String> parent = Optional.ofNullable(repository.branches().get(branch));
        Map<String, String> files = new TreeMap<>(parent.map(id -> repository.commits().get(id).files()).orElse(Map.of()));
        changes.forEach((path, content) -> {
            if (content == null) {
                files.remove(path);
            }
            else {
                files.put(path, content);
            }
        });
        String id = sha1(parent.orElse("") + files);
        repository.commits().put(id, new Commit(parent, Map.copyOf(files)));
        repository.branches().put(branch, id);
        return id;
    }

    @Override
    public synchronized List<BranchHead> fetch(RemoteRepository repository)
    {
        return branches(repository);
    }

    @Override
    public synchronized List<BranchHead> branches(RemoteRepository repository)
    {
        return existing(repository).branches().entrySet().stream().map(branch -> new BranchHead(branch.getKey(), branch.getValue())).toList();
    }

    @Override
    public synchronized String resolve(RemoteRepository repository, String revision)
    {
        Repository found = existing(repository);
        if (found.branches().containsKey(revision)) {
            return found.branches().get(revision);
        }
        List<String> matches = found.commits().keySet().stream().filter(id -> revision.length() >= 4 && id.startsWith(revision)).toList();
        if (matches.size() != 1) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No revision " + revision + " in " + repository.url());
        }
        return matches.get(0);
    }

    @Override
    public List<String> checkout(RemoteRepository repository, String commitId, Path target)
    {
        Map<String, String> files;
        synchronized (this) {
            files = commit(repository, commitId).files();
        }
        try {
            Files.createDirectories(target);
            for (Map.Entry<String, String> file : files.entrySet()) {
                Path path = target.resolve(file.getKey());
                Files.createDirectories(path.getParent());
                Files.writeString(path, file.getValue());
            }
            // Its repositories have no submodules.
            return List.of();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close()
    {
    }

    private Commit commit(RemoteRepository repository, String commitId)
    {
        Commit commit = existing(repository).commits().get(commitId);
        if (commit == null) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No commit " + commitId + " in " + repository.url());
        }
        return commit;
    }

    private Repository existing(RemoteRepository repository)
    {
        Repository found = repositories.get(repository.url());
        if (found == null) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No repository at " + repository.url());
        }
        return found;
    }

    private static String sha1(String text)
    {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
