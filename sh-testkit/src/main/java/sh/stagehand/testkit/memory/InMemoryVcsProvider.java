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
    private record Submodule(String url, String commitId) {}

    private record Commit(List<String> parents, Map<String, String> files, Map<String, Submodule> submodules, String authorName, String authorEmail, String message, long sequence)
    {
        String subject()
        {
            return message.lines().findFirst().orElse("");
        }
    }

    private static final class Repository
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
        return new WorkingTree(url, initialBranch);
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
        Map<String, String> baseFiles = base == null ? Map.of() : base.files();
        Map<String, String> merged = new TreeMap<>();
        Set<String> conflicts = new TreeSet<>();
        Set<String> paths = new TreeSet<>(ourCommit.files().keySet());
        paths.addAll(theirCommit.files().keySet());
        paths.addAll(baseFiles.keySet());
        for (String path : paths) {
            String was = baseFiles.get(path);
            String our = ourCommit.files().get(path);
            String their = theirCommit.files().get(path);
            String result;
            if (Objects.equals(our, their) || Objects.equals(their, was)) {
                result = our;
            }
            else if (Objects.equals(our, was)) {
                result = their;
            }
            else {
                conflicts.add(path);
                continue;
            }
            if (result != null) {
                merged.put(path, result);
            }
        }
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

    private String store(Repository repository, List<String> parents, Map<String, String> files, Map<String, Submodule> submodules, String authorName, String authorEmail, String message)
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

    private static Commit commit(Repository repository, String url, String commitId)
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

    /**
     * A working tree on one of the repositories: files written and deleted, then committed to its
     * current branch.
     */
    private final class WorkingTree
            implements TestingRepository
    {
        private final String url;
        private final Map<String, String> files = new TreeMap<>();
        private final Map<String, Submodule> submodules = new TreeMap<>();
        private String branch;

        WorkingTree(String url, String branch)
        {
            this.url = requireNonNull(url, "url is null");
            this.branch = requireNonNull(branch, "branch is null");
        }

        @Override
        public String url()
        {
            return url;
        }

        @Override
        public TestingRepository writeFile(String path, String content)
        {
            files.put(path, content);
            return this;
        }

        @Override
        public TestingRepository deleteFile(String path)
        {
            if (files.remove(path) == null) {
                throw new IllegalArgumentException("No file " + path + " in the working tree of " + url);
            }
            return this;
        }

        @Override
        public String commit(String message)
        {
            synchronized (InMemoryVcsProvider.this) {
                Repository repository = repositories.get(url);
                List<String> parents = Optional.ofNullable(repository.branches.get(branch)).stream().toList();
                String id = store(repository, parents, files, submodules, AUTHOR_NAME, AUTHOR_EMAIL, message + "\n");
                repository.branches.put(branch, id);
                return id;
            }
        }

        @Override
        public TestingRepository createBranch(String name)
        {
            synchronized (InMemoryVcsProvider.this) {
                Repository repository = repositories.get(url);
                if (repository.branches.containsKey(name)) {
                    throw new IllegalArgumentException("Branch " + name + " exists in " + url);
                }
                Optional.ofNullable(repository.branches.get(branch)).ifPresent(head -> repository.branches.put(name, head));
                branch = name;
                return this;
            }
        }

        @Override
        public TestingRepository switchTo(String name)
        {
            synchronized (InMemoryVcsProvider.this) {
                Repository repository = repositories.get(url);
                Commit head = InMemoryVcsProvider.commit(repository, url, head(name));
                files.clear();
                files.putAll(head.files());
                submodules.clear();
                submodules.putAll(head.submodules());
                branch = name;
                return this;
            }
        }

        @Override
        public void setBranch(String name, String commitId)
        {
            synchronized (InMemoryVcsProvider.this) {
                Repository repository = repositories.get(url);
                InMemoryVcsProvider.commit(repository, url, commitId);
                repository.branches.put(name, commitId);
            }
        }

        @Override
        public void deleteBranch(String name)
        {
            synchronized (InMemoryVcsProvider.this) {
                if (repositories.get(url).branches.remove(name) == null) {
                    throw new IllegalArgumentException("No branch " + name + " in " + url);
                }
            }
        }

        @Override
        public void setDefaultBranch(String name)
        {
            synchronized (InMemoryVcsProvider.this) {
                repositories.get(url).defaultBranch = name;
            }
        }

        @Override
        public String head(String name)
        {
            synchronized (InMemoryVcsProvider.this) {
                String head = repositories.get(url).branches.get(name);
                if (head == null) {
                    throw new IllegalArgumentException("No branch " + name + " in " + url);
                }
                return head;
            }
        }

        @Override
        public CommitRecord inspect(String commitId)
        {
            synchronized (InMemoryVcsProvider.this) {
                Commit commit = InMemoryVcsProvider.commit(repositories.get(url), url, commitId);
                return new CommitRecord(commit.parents(), commit.authorName(), commit.subject());
            }
        }

        @Override
        public TestingRepository addSubmodule(TestingRepository submodule, String path)
        {
            if (!(submodule instanceof WorkingTree other) || other.outer() != InMemoryVcsProvider.this) {
                throw new IllegalArgumentException("A submodule of an in-memory repository is another repository of the same provider");
            }
            submodules.put(path, new Submodule(other.url, other.head(other.branch)));
            return this;
        }

        private InMemoryVcsProvider outer()
        {
            return InMemoryVcsProvider.this;
        }
    }
}
