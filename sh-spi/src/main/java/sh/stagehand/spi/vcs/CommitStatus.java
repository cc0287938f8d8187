package sh.stagehand.spi.vcs;

import java.net.URI;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A build's result as the code host shows it beside the commit.
 *
 * @param state the state
 * @param context names the check, e.g. {@code stagehand/development}; one status per context and commit
 * @param description a short sentence (the host may truncate it, GitHub at 140 characters)
 * @param targetUrl where a person sees the build
 */
public record CommitStatus(State state, String context, String description, Optional<URI> targetUrl)
{
    public enum State
    {
        PENDING,
        SUCCESS,
        FAILURE,
        ERROR,
    }

    public CommitStatus
    {
        requireNonNull(state, "state is null");
        requireNonNull(context, "context is null");
        requireNonNull(description, "description is null");
        requireNonNull(targetUrl, "targetUrl is null");
    }
}
