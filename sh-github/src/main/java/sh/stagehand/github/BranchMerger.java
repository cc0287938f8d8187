package sh.stagehand.github;

import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.merge.MergeStrategy;
import org.eclipse.jgit.merge.ResolveMerger;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.MergeResult;
import sh.stagehand.spi.vcs.RemoteRepository;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.github.MirrorCache.HEADS;

/**
 * Merges one branch of a remote into another in its mirror, in memory (a bare repository has no
 * work tree), and pushes the result: a fast forward, or a merge commit; never a forced push, and
 * nothing at all on a conflict. Thread-safe: merges on one remote are serialized with its fetches.
 */
final class BranchMerger
{
    private final MirrorCache mirrors;
    private final RemoteCommands remotes;

    BranchMerger(MirrorCache mirrors, RemoteCommands remotes)
    {
        this.mirrors = requireNonNull(mirrors, "mirrors is null");
        this.remotes = requireNonNull(remotes, "remotes is null");
    }

    /**
     * Merges {@code source} into {@code target} as the mirror, just fetched, has them.
     */
    MergeResult merge(RemoteRepository remote, String source, String target, String authorName, String authorEmail)
    {
        Path directory = mirrors.pathOf(remote);
        synchronized (mirrors.lockFor(directory)) {
            Repository repository = mirrors.fetched(remote);
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
                remotes.push(repository, remote, merged, target);
                RefUpdate update = repository.updateRef(HEADS + target);
                update.setNewObjectId(merged);
                update.setExpectedOldObjectId(targetHead);
                update.update();
                return new MergeResult(merged.name(), kind);
            }
            catch (IOException e) {
                throw MirrorCache.readFailure(remote, e);
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
}
