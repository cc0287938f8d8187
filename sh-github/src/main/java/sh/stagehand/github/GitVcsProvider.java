package sh.stagehand.github;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.InvalidRemoteException;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.errors.AmbiguousObjectException;
import org.eclipse.jgit.errors.ConfigInvalidException;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.errors.NotSupportedException;
import org.eclipse.jgit.errors.RevisionSyntaxException;
import org.eclipse.jgit.lib.BlobBasedConfig;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.merge.MergeStrategy;
import org.eclipse.jgit.merge.ResolveMerger;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.TreeFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.github.internal.DeployKeys;
import sh.stagehand.github.internal.GitHubStatusReporter;
import sh.stagehand.github.internal.GitHubWebhooks;
import sh.stagehand.github.internal.RefusedConnectionException;
import sh.stagehand.github.internal.RemoteAccess;
import sh.stagehand.github.internal.RepositoryUrlPolicy;
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
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Security;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

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
 */
public final class GitVcsProvider
        implements VcsProvider
{
    private static final Logger log = LoggerFactory.getLogger(GitVcsProvider.class);
    private static final String HEADS = Constants.R_HEADS;

    private final Path cacheDirectory;
    private final Path sshDirectory;
    private final Duration timeout;
    private final RepositoryUrlPolicy policy;
    private final Map<Path, Repository> repositories = new ConcurrentHashMap<>();
    private final Map<Path, Object> locks = new ConcurrentHashMap<>();
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
        this.sshDirectory = this.cacheDirectory.resolve("ssh");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.policy = new RepositoryUrlPolicy(requireNonNull(allowedHosts, "allowedHosts is null"));
        // A name is checked, then resolved again by the JDK as https connects: its cache of
        // answers is what keeps the two the same (the connected address is checked too).
        String dnsCache = Optional.ofNullable(Security.getProperty("networkaddress.cache.ttl")).orElse(System.getProperty("sun.net.inetaddr.ttl", ""));
        if (dnsCache.strip().equals("0")) {
            log.warn("The JDK caches no DNS answers (networkaddress.cache.ttl=0): a repository host's name may resolve differently between its check and its "
                    + "connection; https connections are still checked at the address they reach");
        }
        this.statusReporter = new GitHubStatusReporter(requireNonNull(githubApiUrl, "githubApiUrl is null"), GitHubStatusReporter.DEFAULT_TIMEOUT);
        try {
            Files.createDirectories(this.cacheDirectory);
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, "Cannot create the git cache " + cacheDirectory + ": " + e + "; point "
                    + GitConfig.CACHE_DIRECTORY + " at a writable directory", e);
        }
    }

    @Override
    public List<BranchHead> fetch(RemoteRepository remote)
    {
        Path directory = cachePath(remote);
        // Before anything is created or contacted: a refused URL leaves nothing behind.
        try (RemoteAccess access = access(remote)) {
            synchronized (lockFor(directory)) {
                boolean firstFetch = !Files.isDirectory(directory);
                Repository repository = openOrInit(directory, remote);
                try (Git git = Git.wrap(repository)) {
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
                    throw forgetFailedClone(firstFetch, directory, failure(access, remote, "fetch", e));
                }
                return branchHeads(repository);
            }
        }
    }

    @Override
    public Optional<String> defaultBranch(RemoteRepository remote)
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
                throw failure(access, remote, "list the references of", e);
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

    @Override
    public List<CommitInfo> commits(RemoteRepository remote, Optional<String> fromCommitId, String toCommitId, int limit)
    {
        Repository repository = fetched(remote);
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
        Path directory = cachePath(remote);
        synchronized (lockFor(directory)) {
            Repository repository = fetched(remote);
            try (RevWalk walk = new RevWalk(repository); ObjectInserter inserter = repository.newObjectInserter()) {
                RevCommit sourceHead = walk.parseCommit(branchId(repository, remote, source));
                RevCommit targetHead = walk.parseCommit(branchId(repository, remote, target));
                if (walk.isMergedInto(sourceHead, targetHead)) {
                    return new MergeResult(targetHead.name(), MergeResult.Kind.UP_TO_DATE);
                }
                ObjectId merged;
                MergeResult.Kind kind;
                if (walk.isMergedInto(targetHead, sourceHead)) {
                    merged = sourceHead;
                    kind = MergeResult.Kind.FAST_FORWARD;
                }
                else {
                    // In memory, as a bare repository has no work tree: the merged tree, then its commit.
                    ResolveMerger merger = (ResolveMerger) MergeStrategy.RECURSIVE.newMerger(repository, true);
                    if (!merger.merge(targetHead, sourceHead)) {
                        List<String> conflicts = merger.getUnmergedPaths().isEmpty() ? List.copyOf(merger.getFailingPaths().keySet()) : merger.getUnmergedPaths();
                        throw new StagehandException(StandardErrorCode.CONFLICT, "Branch %s cannot be merged into %s of %s: they conflict in %s. Nothing was pushed; merge them by hand and push"
                                .formatted(source, target, remote, conflicts));
                    }
                    PersonIdent author = new PersonIdent(authorName, authorEmail);
                    CommitBuilder commit = new CommitBuilder();
                    commit.setTreeId(merger.getResultTreeId());
                    commit.setParentIds(targetHead, sourceHead);
                    commit.setAuthor(author);
                    commit.setCommitter(author);
                    commit.setMessage("Merge branch '" + source + "' into " + target + "\n");
                    merged = inserter.insert(commit);
                    inserter.flush();
                    kind = MergeResult.Kind.MERGE_COMMIT;
                }
                push(repository, remote, merged, target);
                RefUpdate update = repository.updateRef(HEADS + target);
                update.setNewObjectId(merged);
                update.setExpectedOldObjectId(targetHead);
                update.update();
                return new MergeResult(merged.name(), kind);
            }
            catch (IOException e) {
                throw readFailure(remote, e);
            }
        }
    }

    private static ObjectId branchId(Repository repository, RemoteRepository remote, String branch)
            throws IOException
    {
        Ref ref = repository.exactRef(HEADS + branch);
        if (ref == null) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No branch " + branch + " in " + remote);
        }
        return ref.getObjectId();
    }

    private void push(Repository repository, RemoteRepository remote, ObjectId commit, String target)
    {
        Iterable<PushResult> results;
        try (RemoteAccess access = access(remote); Git git = Git.wrap(repository)) {
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
                throw failure(access, remote, "push " + target + " to", e);
            }
        }
        for (PushResult result : results) {
            for (RemoteRefUpdate update : result.getRemoteUpdates()) {
                switch (update.getStatus()) {
                    case OK, UP_TO_DATE -> { }
                    case REJECTED_NONFASTFORWARD, REJECTED_REMOTE_CHANGED -> throw new StagehandException(StandardErrorCode.CONFLICT,
                            "Branch " + target + " of " + remote + " moved while merging; nothing was pushed. Try the merge again");
                    default -> throw new StagehandException(StandardErrorCode.PERMISSION_DENIED, "The remote " + remote + " refused the push of " + target + ": "
                            + update.getStatus() + (update.getMessage() == null ? "" : " (" + update.getMessage() + ")"));
                }
            }
        }
    }

    @Override
    public List<BranchHead> branches(RemoteRepository remote)
    {
        return branchHeads(fetched(remote));
    }

    @Override
    public String resolve(RemoteRepository remote, String revision)
    {
        requireNonNull(revision, "revision is null");
        Repository repository = fetched(remote);
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
    public void checkout(RemoteRepository remote, String commitId, Path target)
    {
        Repository repository = fetched(remote);
        try {
            if (Files.exists(target)) {
                try (Stream<Path> entries = Files.list(target)) {
                    if (entries.findAny().isPresent()) {
                        throw new StagehandException(StandardErrorCode.ALREADY_EXISTS, "Cannot check out " + commitId + " into " + target + ": the directory is not empty");
                    }
                }
            }
            Files.createDirectories(target);
            Map<String, ObjectId> submodules = new LinkedHashMap<>();
            RevCommit commit = parseCommit(repository, remote, commitId);
            try (ObjectReader reader = repository.newObjectReader();
                    TreeWalk walk = new TreeWalk(reader)) {
                walk.addTree(commit.getTree());
                walk.setRecursive(true);
                while (walk.next()) {
                    Path file = safeResolve(target, walk.getPathString());
                    FileMode mode = walk.getFileMode(0);
                    if (mode == FileMode.GITLINK) {
                        submodules.put(walk.getPathString(), walk.getObjectId(0));
                        continue;
                    }
                    Files.createDirectories(file.getParent());
                    // A symbolic link written earlier in this checkout must not lead a later file out of it.
                    if (!file.getParent().toRealPath().startsWith(target.toRealPath())) {
                        throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Commit " + commitId + " of " + remote + " writes " + walk.getPathString()
                                + " through a symbolic link that leads out of the checkout; the build is refused");
                    }
                    if (mode == FileMode.SYMLINK) {
                        String link = new String(reader.open(walk.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
                        Files.createSymbolicLink(file, Path.of(link));
                    }
                    else {
                        try (InputStream input = reader.open(walk.getObjectId(0)).openStream()) {
                            Files.copy(input, file);
                        }
                        if (mode == FileMode.EXECUTABLE_FILE) {
                            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
                        }
                    }
                }
            }
            if (!submodules.isEmpty()) {
                checkoutSubmodules(remote, repository, commit, submodules, target);
            }
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot check out " + commitId + " of " + remote + " into " + target + ": " + e, e);
        }
    }

    @Override
    public List<String> changedPaths(RemoteRepository remote, String fromCommitId, String toCommitId)
    {
        Repository repository = fetched(remote);
        RevCommit from = parseCommit(repository, remote, fromCommitId);
        RevCommit to = parseCommit(repository, remote, toCommitId);
        try (TreeWalk walk = new TreeWalk(repository)) {
            walk.addTree(from.getTree());
            walk.addTree(to.getTree());
            walk.setRecursive(true);
            walk.setFilter(TreeFilter.ANY_DIFF);
            TreeSet<String> paths = new TreeSet<>();
            for (DiffEntry entry : DiffEntry.scan(walk)) {
                if (!entry.getOldPath().equals(DiffEntry.DEV_NULL)) {
                    paths.add(entry.getOldPath());
                }
                if (!entry.getNewPath().equals(DiffEntry.DEV_NULL)) {
                    paths.add(entry.getNewPath());
                }
            }
            return List.copyOf(paths);
        }
        catch (IOException e) {
            throw readFailure(remote, e);
        }
    }

    @Override
    public Optional<byte[]> readFile(RemoteRepository remote, String commitId, String path)
    {
        requireNonNull(path, "path is null");
        Repository repository = fetched(remote);
        RevCommit commit = parseCommit(repository, remote, commitId);
        try (TreeWalk walk = TreeWalk.forPath(repository, path, commit.getTree())) {
            if (walk == null || (walk.getRawMode(0) & FileMode.TYPE_MASK) != FileMode.TYPE_FILE) {
                return Optional.empty();
            }
            return Optional.of(repository.open(walk.getObjectId(0), Constants.OBJ_BLOB).getBytes());
        }
        catch (IllegalArgumentException e) {
            // JGit's answer to a malformed path such as "a//b"
            return Optional.empty();
        }
        catch (IOException e) {
            throw readFailure(remote, e);
        }
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
        repositories.values().forEach(Repository::close);
        repositories.clear();
    }

    @Override
    public String toString()
    {
        return "GitVcsProvider[" + cacheDirectory + "]";
    }

    private void checkoutSubmodules(RemoteRepository remote, Repository repository, RevCommit commit, Map<String, ObjectId> submodules, Path target)
            throws IOException
    {
        Config gitmodules;
        try (TreeWalk walk = TreeWalk.forPath(repository, Constants.DOT_GIT_MODULES, commit.getTree())) {
            if (walk == null) {
                throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Commit " + commit.name() + " of " + remote + " has submodules but no .gitmodules");
            }
            gitmodules = new BlobBasedConfig(null, repository, walk.getObjectId(0));
        }
        catch (ConfigInvalidException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, ".gitmodules of commit " + commit.name() + " of " + remote + " is malformed: " + e.getMessage(), e);
        }
        Map<String, String> urlsByPath = new LinkedHashMap<>();
        for (String name : gitmodules.getSubsections("submodule")) {
            String path = gitmodules.getString("submodule", name, "path");
            String url = gitmodules.getString("submodule", name, "url");
            if (path != null && url != null) {
                urlsByPath.put(path, url);
            }
        }
        for (Map.Entry<String, ObjectId> submodule : submodules.entrySet()) {
            String url = urlsByPath.get(submodule.getKey());
            if (url == null) {
                throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Submodule " + submodule.getKey() + " of " + remote + " has no URL in .gitmodules");
            }
            RemoteRepository child;
            try {
                child = submoduleRemote(remote, resolveSubmoduleUrl(remote.publicUrl().orElse(remote.url()), url), submodule.getKey());
                log.debug("Checking out submodule {} of {} from {}", submodule.getKey(), remote, child);
                fetch(child);
            }
            catch (StagehandException e) {
                // The build's message: which submodule, what .gitmodules says, and why it was refused.
                // A hosted repository by the URL its users know, not by its path on the platform's disk.
                throw new StagehandException(e::errorCode, "Submodule " + submodule.getKey() + " (url = " + RepositoryUrlPolicy.shown(url) + " in .gitmodules) of "
                        + RepositoryUrlPolicy.shown(remote.publicUrl().orElse(remote.url())) + " cannot be checked out: " + e.getMessage(), e);
            }
            checkout(child, submodule.getValue().name(), safeResolve(target, submodule.getKey()));
        }
    }

    /**
     * The remote of a submodule. The project's token and deploy key go only to the project's own
     * host, never to a host a repository names. A submodule is on the platform's disk only when
     * the repository itself is, and is not one the platform keeps for a tenant: a remote or hosted
     * repository cannot name a path here (another project's repository, the platform's cache).
     */
    static RemoteRepository submoduleRemote(RemoteRepository parent, String url, String path)
    {
        Optional<String> parentHost = remoteHost(parent.publicUrl().orElse(parent.url()));
        Optional<String> host = remoteHost(url);
        if ((parentHost.isPresent() || parent.publicUrl().isPresent()) && host.isEmpty()) {
            throw RepositoryUrlPolicy.refused(url, "submodule " + path + " of " + parent + " names a repository on the platform's disk; the submodules of a remote "
                    + "or hosted repository must be remote too. Give the submodule its https or ssh URL");
        }
        boolean sameHost = parentHost.isPresent() && parentHost.equals(host);
        return new RemoteRepository(url, sameHost ? parent.token() : Optional.empty(), sameHost ? parent.deployKey() : Optional.empty(), Optional.empty());
    }

    // The scheme and host of a remote URL; empty for a local path or file:// URL.
    private static Optional<String> remoteHost(String url)
    {
        try {
            URIish uri = new URIish(url);
            if (uri.getHost() == null || "file".equals(uri.getScheme())) {
                return Optional.empty();
            }
            return Optional.of(uri.getHost().toLowerCase(Locale.ROOT));
        }
        catch (URISyntaxException e) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Not a git URL: " + url, e);
        }
    }

    // A relative submodule URL ("../lib.git") is relative to the superproject's remote, as git does it.
    static String resolveSubmoduleUrl(String parentUrl, String url)
    {
        if (!url.startsWith("./") && !url.startsWith("../")) {
            return url;
        }
        String base = parentUrl.replaceAll("/+$", "");
        String rest = url;
        while (true) {
            if (rest.startsWith("./")) {
                rest = rest.substring(2);
            }
            else if (rest.startsWith("../")) {
                int slash = Math.max(base.lastIndexOf('/'), base.lastIndexOf(':'));
                base = slash > 0 ? base.substring(0, slash) : base;
                rest = rest.substring(3);
            }
            else {
                return base + "/" + rest;
            }
        }
    }

    private static Path safeResolve(Path root, String relative)
    {
        Path resolved = root.resolve(relative).normalize();
        if (!resolved.startsWith(root.normalize())) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Repository path " + relative + " points outside the workspace");
        }
        return resolved;
    }

    private RevCommit parseCommit(Repository repository, RemoteRepository remote, String commitId)
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

    // A first fetch that failed must not leave an empty cache that looks like a repository without branches.
    private StagehandException forgetFailedClone(boolean firstFetch, Path directory, StagehandException failure)
    {
        if (firstFetch) {
            Repository repository = repositories.remove(directory);
            if (repository != null) {
                repository.close();
            }
            try (Stream<Path> paths = Files.walk(directory)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
            catch (IOException e) {
                failure.addSuppressed(e);
            }
        }
        return failure;
    }

    private static List<BranchHead> branchHeads(Repository repository)
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

    private Repository fetched(RemoteRepository remote)
    {
        Path directory = cachePath(remote);
        if (!Files.isDirectory(directory)) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, remote + " was never fetched; fetch it first");
        }
        return openOrInit(directory, remote);
    }

    private Repository openOrInit(Path directory, RemoteRepository remote)
    {
        return repositories.computeIfAbsent(directory, path -> {
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

    private Object lockFor(Path directory)
    {
        return locks.computeIfAbsent(directory, path -> new Object());
    }

    private Path cachePath(RemoteRepository remote)
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
        return cacheDirectory.resolve(readable + "-" + sha256(url).substring(0, 16) + ".git");
    }

    private static String sha256(String text)
    {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JDK has SHA-256", e);
        }
    }

    /**
     * How an operation on this remote connects, checked against the policy before anything does.
     * A repository's own path is the platform's choice (a hosted repository, or one a platform
     * administrator named), but always an absolute one: a relative path is a URL that JGit read
     * differently than its author meant ("HTTPS://../..").
     */
    private RemoteAccess access(RemoteRepository remote)
    {
        RemoteAccess access = RemoteAccess.open(policy, remote, remote.url(), sshDirectory, timeout);
        if (access.target() instanceof RepositoryUrlPolicy.Local && !isAbsoluteLocal(remote.url())) {
            access.close();
            throw RepositoryUrlPolicy.refused(remote.url(), "it is neither a URL the platform reads nor an absolute path on its disk");
        }
        return access;
    }

    private static boolean isAbsoluteLocal(String url)
    {
        return url.startsWith("/") || url.startsWith("file:///");
    }

    private static UsernamePasswordCredentialsProvider credentials(RemoteRepository remote)
    {
        return remote.token().map(token -> new UsernamePasswordCredentialsProvider("x-access-token", token)).orElse(null);
    }

    /**
     * What a failed operation tells its caller. For a network remote, never what the remote
     * answered: a host that cannot be reached, refuses the connection or answers something else
     * than git gives one message ({@link RepositoryUrlPolicy#unreachable}); only "no such
     * repository" and "credentials refused" are told apart, as they say what to fix. The whole
     * answer is logged for the platform's operator.
     */
    private static StagehandException failure(RemoteAccess access, RemoteRepository remote, String doing, Exception e)
    {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof RefusedConnectionException refused) {
                return refused.refusal();
            }
            if (cause instanceof StagehandException stagehand) {
                return stagehand;
            }
        }
        if (access.refusedAHostKey()) {
            return new StagehandException(StandardErrorCode.PERMISSION_DENIED, "The ssh host of " + RepositoryUrlPolicy.shown(remote.url())
                    + " showed a host key other than the one pinned at this project's first fetch from it (a man in the middle, or a new key of the host's); nothing was "
                    + "fetched. If the host really has a new key, ask the platform's operator to forget the pinned one");
        }
        boolean local = access.target() instanceof RepositoryUrlPolicy.Local;
        log.info("Cannot {} {}: {}", doing, remote, describe(e));
        boolean missing = e instanceof InvalidRemoteException;
        boolean refusedCredentials = false;
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            missing |= cause instanceof NoRemoteRepositoryException || cause instanceof NotSupportedException;
            String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
            refusedCredentials |= cause instanceof org.eclipse.jgit.errors.TransportException
                    && (message.contains("not authorized") || message.contains("authentication") || message.contains("auth fail") || message.contains("cannot log in")
                    || message.contains("no more authentication methods"));
        }
        if (local) {
            // A path a platform administrator named: nothing of a tenant's network to hide.
            if (missing) {
                return new StagehandException(StandardErrorCode.NOT_FOUND, "There is no git repository at " + remote.url() + ": " + e.getMessage() + ". Check the project's repository URL", e);
            }
            return new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot " + doing + " " + remote + ": " + e.getMessage(), e);
        }
        String shown = RepositoryUrlPolicy.shown(remote.url());
        if (refusedCredentials) {
            return new StagehandException(StandardErrorCode.PERMISSION_DENIED, "The host of " + shown + " refused the project's credentials. Check its token, or that "
                    + "its deploy key (shown on the project) is added to the repository", e);
        }
        if (missing) {
            return new StagehandException(StandardErrorCode.NOT_FOUND, "There is no git repository at " + shown + " that the project's credentials can read. "
                    + "Check the URL, and its token or deploy key", e);
        }
        return RepositoryUrlPolicy.unreachable(remote.url(), e);
    }

    private static String describe(Throwable e)
    {
        StringBuilder text = new StringBuilder(e.toString());
        for (Throwable cause = e.getCause(); cause != null && text.length() < 2000; cause = cause.getCause()) {
            text.append(" <- ").append(cause);
        }
        return text.toString();
    }

    private static StagehandException readFailure(RemoteRepository remote, IOException e)
    {
        return new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot read the git cache of " + remote + ": " + e, e);
    }
}
