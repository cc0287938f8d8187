package sh.stagehand.spi.vcs;

import static java.util.Objects.requireNonNull;

/**
 * What {@link VcsProvider#merge} did.
 *
 * @param commitId the target branch's head afterwards, as pushed
 * @param kind how the target moved
 */
public record MergeResult(String commitId, Kind kind)
{
    public enum Kind
    {
        /** The target was behind the source: it now points at the source's head. */
        FAST_FORWARD,
        /** A merge commit with both heads as parents. */
        MERGE_COMMIT,
        /** The target held the source's head already: nothing was pushed. */
        UP_TO_DATE,
    }

    public MergeResult
    {
        requireNonNull(commitId, "commitId is null");
        requireNonNull(kind, "kind is null");
    }
}
