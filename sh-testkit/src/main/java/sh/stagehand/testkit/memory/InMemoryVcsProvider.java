package sh.stagehand.testkit.memory;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.BranchHead;
import sh.stagehand.spi.vcs.CommitInfo;
import sh.stagehand.spi.vcs.MergeResult;
import sh.stagehand.spi.vcs.RemoteRepository;
import sh.stagehand.spi.vcs.VcsProvider;
import sh.stagehand.testkit.TestingRepository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * A {@link VcsProvider} over repositories held in the JVM, which tests commit to through
 * {@link #repository} (or {@link #commit}): git's model without git. A commit records its whole
 * tree, its parents, author and message, and submodules as a path pointing at another of these
 * repositories and a commit of it; its id is the SHA-1 of all that. {@link #fetch} takes a copy of
 * the repository's branches, which {@link #branches}, {@link #resolve} and {@link #checkout} then
 * read, as a clone would; merges are three-way, file by file, and go to the repository at once.
 * Passes {@code BaseVcsProviderContractTest}. Thread-safe.
 */
public final class InMemoryVcsProvider
        implements VcsProvider
{
    record Submodule(String url, String commitId) {}

    record Commit(List<String> parents, Map<String, String> files, Map<String, Submodule> submodules, String authorName, String authorEmail, String message, long sequence)
    {
        String subject()
        {
            return message.lines().findFirst().orElse("");
        }
    }

    static final class Repository
    {
        final Map<String, String> branches = new TreeMap<>();
        final Map<String, Commit> commits = new HashMap<>();
        String defaultBranch;

        Repository(String defaultBranch)
        {
            this.defaultBranch = defaultBranch;
        }
    }

    private final Map<String, Repository> repositories = new HashMap<>();
    private final Map<String, Map<String, String>> fetched = new HashMap<>();
    private long sequence;

    /**
     * An empty repository at {@code url} whose first branch will be {@code initialBranch}, to commit to.
     *
     * @throws IllegalArgumentException if there is one at that URL already
     */
    public synchronized TestingRepository repository(String url, String initialBranch)
    {
        if (repositories.putIfAbsent(url, new Repository(initialBranch)) != null) {
            throw new IllegalArgumentException("There is a repository at " + url + " already");
        }
        return new InMemoryWorkingTree(this, url, initialBranch);
    }

    // For InMemoryWorkingTree, under this provider's lock.
    Repository repositoryAt(String url)
    {
        return repositories.get(url);
    }

    /**
     * Commits to {@code branch} of the repository at {@code url} (made on its first commit): the
     * branch's files with {@code changes} applied, a {@code null} content deleting a file.
     *
     * @return the new commit's id
     */
    public synchronized String commit(String url, String branch, Map<String, String> changes)
    {
        Repository repository = repositories.computeIfAbsent(url, ignored -> new Repository(branch));
        Optional<Commit> parent = Optional.ofNullable(repository.branches.get(branch)).map(repository.commits::get);
        Map<String, String> files = new TreeMap<>(parent.map(Commit::files).orElse(Map.of()));
        changes.forEach((path, content) -> {
            if (content == null) {
                files.remove(path);
            }
            else {
                files.put(path, content);
            }
        });
        List<String> parents = Optional.ofNullable(repository.branches.get(branch)).stream().toList();
        String id = store(repository, parents, files, parent.map(Commit::submodules).orElse(Map.of()), TestingRepository.AUTHOR_NAME, TestingRepository.AUTHOR_EMAIL, "Commit to " + branch + "\n");
        repository.branches.put(branch, id);
        return id;
    }

    @Override
    public synchronized List<BranchHead> fetch(RemoteRepository remote)
    {
        fetched.put(remote.url(), new TreeMap<>(existing(remote).branches));
        return branches(remote);
    }

    @Override
    public synchronized Optional<String> defaultBranch(RemoteRepository remote)
    {
        Repository repository = existing(remote);
        return Optional.of(repository.defaultBranch).filter(repository.branches::containsKey);
    }

    @Override
    public synchronized List<BranchHead> branches(RemoteRepository remote)
    {
        return fetchedBranches(remote).entrySet().stream().map(branch -> new BranchHead(branch.getKey(), branch.getValue())).toList();
    }

    @Override
    public synchronized String resolve(RemoteRepository remote, String revision)
    {
        String branchHead = fetchedBranches(remote).get(revision);
        if (branchHead != null) {
            return branchHead;
        }
        List<String> matches = existing(remote).commits.keySet().stream().filter(id -> revision.length() >= 4 && id.startsWith(revision)).toList();
        if (matches.size() != 1) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No revision " + revision + " in " + remote.url());
        }
        return matches.get(0);
    }

    @Override
    public List<String> checkout(RemoteRepository remote, String commitId, Path target)
    {
        Map<String, String> files = new TreeMap<>();
        List<String> submodulePaths = new ArrayList<>();
        synchronized (this) {
            Commit commit = commit(existing(remote), remote.url(), commitId);
            files.putAll(commit.files());
            commit.submodules().forEach((path, submodule) -> {
                Repository repository = repositories.get(submodule.url());
                if (repository == null) {
                    throw new StagehandException(StandardErrorCode.NOT_FOUND, "Submodule " + path + " names " + submodule.url() + ", which does not exist");
                }
                commit(repository, submodule.url(), submodule.commitId()).files().forEach((file, content) -> files.put(path + "/" + file, content));
                submodulePaths.add(path);
            });
        }
        try {
            if (Files.exists(target)) {
                try (Stream<Path> entries = Files.list(target)) {
                    if (entries.findAny().isPresent()) {
                        throw new StagehandException(StandardErrorCode.ALREADY_EXISTS, "Cannot check out into " + target + ": it is not empty");
                    }
                }
            }
            Files.createDirectories(target);
            for (Map.Entry<String, String> file : files.entrySet()) {
                Path path = target.resolve(file.getKey());
                Files.createDirectories(path.getParent());
                Files.writeString(path, file.getValue());
            }
            return List.copyOf(submodulePaths);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized List<CommitInfo> commits(RemoteRepository remote, Optional<String> fromCommitId, String toCommitId, int limit)
    {
        Repository repository = existing(remote);
        commit(repository, remote.url(), toCommitId);
        Set<String> seen = fromCommitId.map(from -> ancestors(repository, from)).orElse(Set.of());
        List<String> gained = ancestors(repository, toCommitId).stream()
                .filter(id -> !seen.contains(id))
                .sorted(Comparator.comparingLong(id -> repository.commits.get(id).sequence()))
                .toList();
        return gained.subList(Math.max(0, gained.size() - limit), gained.size()).stream()
                .map(id -> {
                    Commit commit = repository.commits.get(id);
                    return new CommitInfo(id, commit.message(), commit.authorName(), commit.authorEmail());
                })
                .toList();
    }

    @Override
    public synchronized MergeResult merge(RemoteRepository remote, String source, String target, String authorName, String authorEmail)
    {
        Repository repository = existing(remote);
        String theirs = branchHead(repository, remote, source);
        String ours = branchHead(repository, remote, target);
        Set<String> ourAncestors = ancestors(repository, ours);
        if (ourAncestors.contains(theirs)) {
            return new MergeResult(ours, MergeResult.Kind.UP_TO_DATE);
        }
        Set<String> theirAncestors = ancestors(repository, theirs);
        if (theirAncestors.contains(ours)) {
            push(remote, repository, target, theirs);
            return new MergeResult(theirs, MergeResult.Kind.FAST_FORWARD);
        }
        // The merge base: the newest commit both have.
        Commit base = ourAncestors.stream()
                .filter(theirAncestors::contains)
                .map(repository.commits::get)
                .max(Comparator.comparingLong(Commit::sequence))
                .orElse(null);
        Commit ourCommit = repository.commits.get(ours);
        Commit theirCommit = repository.commits.get(theirs);
        Set<String> conflicts = new TreeSet<>();
        Map<String, String> merged = mergeFiles(base == null ? Map.of() : base.files(), ourCommit.files(), theirCommit.files(), conflicts);
        if (!conflicts.isEmpty()) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Branch %s cannot be merged into %s of %s: they conflict in %s. Nothing was pushed; merge them by hand and push"
                    .formatted(source, target, remote.url(), String.join(", ", conflicts)));
        }
        Map<String, Submodule> submodules = new TreeMap<>(theirCommit.submodules());
        submodules.putAll(ourCommit.submodules());
        String id = store(repository, List.of(ours, theirs), merged, submodules, authorName, authorEmail, "Merge branch '" + source + "' into " + target + "\n");
        push(remote, repository, target, id);
        return new MergeResult(id, MergeResult.Kind.MERGE_COMMIT);
    }

    @Override
    public synchronized String commit(RemoteRepository remote, String branch, String parentCommitId, Map<String, byte[]> files, String authorName, String authorEmail, String message)
    {
        Repository repository = existing(remote);
        String head = branchHead(repository, remote, branch);
        Commit parent = commit(repository, remote.url(), parentCommitId);
        if (files.isEmpty() || !files.keySet().stream().allMatch(VcsProvider::isPlainPath)) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Nothing to commit, or a path that is not a plain relative one: " + files.keySet());
        }
        if (!head.equals(parentCommitId)) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Branch " + branch + " of " + remote.url() + " moved on since " + parentCommitId + ": nothing was committed");
        }
        Map<String, String> tree = new TreeMap<>(parent.files());
        files.forEach((path, content) -> {
            if (tree.keySet().stream().anyMatch(existing -> existing.startsWith(path + "/") || path.startsWith(existing + "/"))) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Cannot commit '" + path + "': a file and a directory of that name");
            }
            tree.put(path, new String(content, StandardCharsets.UTF_8));
        });
        if (tree.equals(parent.files())) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Nothing to commit: the files are as " + parentCommitId + " has them");
        }
        String id = store(repository, List.of(parentCommitId), tree, parent.submodules(), authorName, authorEmail, message.endsWith("\n") ? message : message + "\n");
        push(remote, repository, branch, id);
        return id;
    }

    // Three-way, file by file: a side that changed a file from the base wins; both changing it differently conflict.
    private static Map<String, String> mergeFiles(Map<String, String> base, Map<String, String> ours, Map<String, String> theirs, Set<String> conflicts)
    {
        Map<String, String> merged = new TreeMap<>();
        Set<String> paths = new TreeSet<>(ours.keySet());
        paths.addAll(theirs.keySet());
        paths.addAll(base.keySet());
        for (String path : paths) {
            String was = base.get(path);
            String our = ours.get(path);
            String their = theirs.get(path);
            String result = Objects.equals(our, their) || Objects.equals(their, was) ? our : Objects.equals(our, was) ? their : null;
            if (!Objects.equals(our, their) && !Objects.equals(their, was) && !Objects.equals(our, was)) {
                conflicts.add(path);
            }
            else if (result != null) {
                merged.put(path, result);
            }
        }
        return merged;
    }

    // As a clone pushing its merge: the repository's branch moves, and what was fetched of it.
    private void push(RemoteRepository remote, Repository repository, String branch, String commitId)
    {
        repository.branches.put(branch, commitId);
        fetched.put(remote.url(), new TreeMap<>(repository.branches));
    }

    @Override
    public void close()
    {
    }

    String store(Repository repository, List<String> parents, Map<String, String> files, Map<String, Submodule> submodules, String authorName, String authorEmail, String message)
    {
        String id = sha1(String.join(",", parents) + "|" + files + "|" + submodules + "|" + authorName + "|" + authorEmail + "|" + message + "|" + sequence);
        repository.commits.put(id, new Commit(List.copyOf(parents), Map.copyOf(files), Map.copyOf(submodules), authorName, authorEmail, message, sequence++));
        return id;
    }

    private static Set<String> ancestors(Repository repository, String commitId)
    {
        Set<String> ancestors = new HashSet<>();
        Deque<String> next = new ArrayDeque<>(List.of(commitId));
        while (!next.isEmpty()) {
            String id = next.pop();
            if (ancestors.add(id)) {
                Commit commit = repository.commits.get(id);
                if (commit != null) {
                    next.addAll(commit.parents());
                }
            }
        }
        return ancestors;
    }

    private static String branchHead(Repository repository, RemoteRepository remote, String branch)
    {
        String head = repository.branches.get(branch);
        if (head == null) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No branch " + branch + " in " + remote.url());
        }
        return head;
    }

    static Commit commit(Repository repository, String url, String commitId)
    {
        Commit commit = repository.commits.get(commitId);
        if (commit == null) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No commit " + commitId + " in " + url);
        }
        return commit;
    }

    private Map<String, String> fetchedBranches(RemoteRepository remote)
    {
        Map<String, String> branches = fetched.get(remote.url());
        if (branches == null) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "Repository " + remote.url() + " was never fetched");
        }
        return branches;
    }

    private Repository existing(RemoteRepository remote)
    {
        Repository found = repositories.get(remote.url());
        if (found == null) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No repository at " + remote.url());
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
