package sh.stagehand.github;

import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.github.internal.RepositoryUrlPolicy;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.RemoteRepository;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * Writes a commit of a fetched remote into an empty directory, its submodules with it (each
 * fetched from the remote {@link SubmoduleRemotes} gives it). Nothing is written outside the
 * directory: not through a {@code ..} path, nor through a symbolic link the commit wrote earlier.
 * Thread-safe.
 */
final class CommitCheckout
{
    private static final Logger log = LoggerFactory.getLogger(CommitCheckout.class);

    private final MirrorCache mirrors;
    private final Consumer<RemoteRepository> fetch;

    /**
     * @param fetch fetches a submodule's remote into its mirror
     */
    CommitCheckout(MirrorCache mirrors, Consumer<RemoteRepository> fetch)
    {
        this.mirrors = requireNonNull(mirrors, "mirrors is null");
        this.fetch = requireNonNull(fetch, "fetch is null");
    }

    /**
     * @return the paths of the submodules written, nested ones under theirs, sorted
     */
    List<String> checkout(RemoteRepository remote, String commitId, Path target)
    {
        Repository repository = mirrors.fetched(remote);
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
            RevCommit commit = MirrorCache.parseCommit(repository, remote, commitId);
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
            if (submodules.isEmpty()) {
                return List.of();
            }
            return checkoutSubmodules(remote, repository, commit, submodules, target);
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot check out " + commitId + " of " + remote + " into " + target + ": " + e, e);
        }
    }

    private List<String> checkoutSubmodules(RemoteRepository remote, Repository repository, RevCommit commit, Map<String, ObjectId> submodules, Path target)
            throws IOException
    {
        Set<String> written = new TreeSet<>();
        Map<String, String> urlsByPath = SubmoduleRemotes.urlsByPath(remote, repository, commit);
        for (Map.Entry<String, ObjectId> submodule : submodules.entrySet()) {
            String url = urlsByPath.get(submodule.getKey());
            if (url == null) {
                throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Submodule " + submodule.getKey() + " of " + remote + " has no URL in .gitmodules");
            }
            RemoteRepository child;
            try {
                child = SubmoduleRemotes.submoduleRemote(remote, SubmoduleRemotes.resolveSubmoduleUrl(remote.publicUrl().orElse(remote.url()), url), submodule.getKey());
                log.debug("Checking out submodule {} of {} from {}", submodule.getKey(), remote, child);
                fetch.accept(child);
            }
            catch (StagehandException e) {
                // The build's message: which submodule, what .gitmodules says, and why it was refused.
                // A hosted repository by the URL its users know, not by its path on the platform's disk.
                throw new StagehandException(e::errorCode, "Submodule " + submodule.getKey() + " (url = " + RepositoryUrlPolicy.shown(url) + " in .gitmodules) of "
                        + RepositoryUrlPolicy.shown(remote.publicUrl().orElse(remote.url())) + " cannot be checked out: " + e.getMessage(), e);
            }
            written.add(submodule.getKey());
            for (String nested : checkout(child, submodule.getValue().name(), safeResolve(target, submodule.getKey()))) {
                written.add(submodule.getKey() + "/" + nested);
            }
        }
        return List.copyOf(written);
    }

    private static Path safeResolve(Path root, String relative)
    {
        Path resolved = root.resolve(relative).normalize();
        if (!resolved.startsWith(root.normalize())) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Repository path " + relative + " points outside the workspace");
        }
        return resolved;
    }
}
