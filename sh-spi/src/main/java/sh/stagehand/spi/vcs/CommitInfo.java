package sh.stagehand.spi.vcs;

import static java.util.Objects.requireNonNull;

/**
 * A commit as a history shows it.
 *
 * @param commitId the full commit id
 * @param message the whole message
 * @param authorName the author's name
 * @param authorEmail the author's e-mail address, possibly empty
 */
public record CommitInfo(String commitId, String message, String authorName, String authorEmail)
{
    public CommitInfo
    {
        requireNonNull(commitId, "commitId is null");
        requireNonNull(message, "message is null");
        requireNonNull(authorName, "authorName is null");
        requireNonNull(authorEmail, "authorEmail is null");
    }

    /**
     * The first line of the message.
     */
    public String subject()
    {
        return message.lines().findFirst().orElse("").strip();
    }
}
