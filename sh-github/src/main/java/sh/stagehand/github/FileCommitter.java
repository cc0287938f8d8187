package sh.stagehand.github;

import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.RemoteRepository;
import sh.stagehand.spi.vcs.VcsProvider;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.github.MirrorCache.HEADS;

/**
 * Commits files over a branch's head in its mirror, in memory (a bare repository has no work
 * tree): the head's tree with the files' new blobs, then the commit, pushed as a fast forward
 * only. Thread-safe: commits on one remote are serialized with its fetches.
 */
final class FileCommitter
{
    private final MirrorCache mirrors;
    private final RemoteCommands remotes;

    FileCommitter(MirrorCache mirrors, RemoteCommands remotes)
    {
        this.mirrors = requireNonNull(mirrors, "mirrors is null");
        this.remotes = requireNonNull(remotes, "remotes is null");
    }

    /**
     * See {@link VcsProvider#commit}; the mirror was just fetched.
     */
    String commit(RemoteRepository remote, String branch, String parentCommitId, Map<String, byte[]> files, String authorName, String authorEmail, String message)
    {
        if (files.isEmpty()) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Nothing to commit: no file changed");
        }
        for (String path : files.keySet()) {
            if (!VcsProvider.isPlainPath(path)) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Cannot commit '" + path + "': a path is relative, '/'-separated, without '..' or .git");
            }
        }
        Path directory = mirrors.pathOf(remote);
        synchronized (mirrors.lockFor(directory)) {
            Repository repository = mirrors.fetched(remote);
            try (RevWalk walk = new RevWalk(repository); ObjectInserter inserter = repository.newObjectInserter()) {
                Ref head = repository.exactRef(HEADS + branch);
                if (head == null) {
                    throw new StagehandException(StandardErrorCode.NOT_FOUND, "No branch " + branch + " in " + remote);
                }
                RevCommit parent;
                try {
                    parent = walk.parseCommit(ObjectId.fromString(parentCommitId));
                }
                catch (IllegalArgumentException | MissingObjectException e) {
                    throw new StagehandException(StandardErrorCode.NOT_FOUND, "No commit " + parentCommitId + " in " + remote, e);
                }
                if (!head.getObjectId().equals(parent)) {
                    throw new StagehandException(StandardErrorCode.CONFLICT, "Branch " + branch + " of " + remote + " moved on since " + parent.abbreviate(8).name() + " (it is at "
                            + head.getObjectId().abbreviate(8).name() + " now): nothing was committed. Open its newest build and make the change there");
                }
                ObjectId tree = treeWith(repository, parent, files, inserter);
                if (tree.equals(parent.getTree())) {
                    throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Nothing to commit: the files are as " + parent.abbreviate(8).name() + " has them");
                }
                PersonIdent author = new PersonIdent(authorName, authorEmail);
                CommitBuilder commit = new CommitBuilder();
                commit.setTreeId(tree);
                commit.setParentId(parent);
                commit.setAuthor(author);
                commit.setCommitter(author);
                commit.setMessage(message.endsWith("\n") ? message : message + "\n");
                ObjectId committed = inserter.insert(commit);
                inserter.flush();
                remotes.push(repository, remote, committed, branch);
                RefUpdate update = repository.updateRef(HEADS + branch);
                update.setNewObjectId(committed);
                update.setExpectedOldObjectId(parent);
                update.update();
                return committed.name();
            }
            catch (IOException e) {
                throw MirrorCache.readFailure(remote, e);
            }
        }
    }

    // The parent's tree, the files written over it: a file keeps its mode (executable stays so).
    private static ObjectId treeWith(Repository repository, RevCommit parent, Map<String, byte[]> files, ObjectInserter inserter)
            throws IOException
    {
        Map<String, FileMode> modes = new HashMap<>();
        Map<String, DirCacheEntry> entries = new TreeMap<>();
        try (TreeWalk tree = new TreeWalk(repository)) {
            tree.addTree(parent.getTree());
            tree.setRecursive(true);
            while (tree.next()) {
                String path = tree.getPathString();
                for (String changed : files.keySet()) {
                    if (changed.startsWith(path + "/")) {
                        throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Cannot commit '" + changed + "': '" + path + "' is a file or a submodule in " + parent.name());
                    }
                    if (path.startsWith(changed + "/")) {
                        throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Cannot commit '" + changed + "': it is a directory in " + parent.name());
                    }
                }
                if (files.containsKey(path) && tree.getFileMode(0) == FileMode.GITLINK) {
                    throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Cannot commit '" + path + "': it is a submodule");
                }
                modes.put(path, tree.getFileMode(0));
                DirCacheEntry entry = new DirCacheEntry(path);
                entry.setFileMode(tree.getFileMode(0));
                entry.setObjectId(tree.getObjectId(0));
                entries.put(path, entry);
            }
        }
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            FileMode was = modes.get(file.getKey());
            DirCacheEntry entry = new DirCacheEntry(file.getKey());
            entry.setFileMode(was == FileMode.EXECUTABLE_FILE ? FileMode.EXECUTABLE_FILE : FileMode.REGULAR_FILE);
            entry.setObjectId(inserter.insert(Constants.OBJ_BLOB, file.getValue()));
            entries.put(file.getKey(), entry);
        }
        DirCache index = DirCache.newInCore();
        DirCacheBuilder builder = index.builder();
        entries.values().forEach(builder::add);
        builder.finish();
        return index.writeTree(inserter);
    }
}
