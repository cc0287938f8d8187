package sh.stagehand.spi.vcs;

import static java.util.Objects.requireNonNull;

/**
 * A branch and the commit it points to.
 *
 * @param name the branch's short name, e.g. {@code main} or {@code feature/invoice}
 * @param commitId the full hexadecimal commit id
 */
public record BranchHead(String name, String commitId)
{
    public BranchHead
    {
        requireNonNull(name, "name is null");
        requireNonNull(commitId, "commitId is null");
    }
}
