package sh.stagehand.core.store;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One line of a branch's history: a push, a build's progress, a stage change.
 *
 * @param id unique, increasing; 0 before it is stored
 */
public record Event(long id, String projectId, Optional<String> branch, Optional<Long> buildId, EventKind kind, String message, Instant at)
{
    public Event
    {
        requireNonNull(projectId, "projectId is null");
        requireNonNull(branch, "branch is null");
        requireNonNull(buildId, "buildId is null");
        requireNonNull(kind, "kind is null");
        requireNonNull(message, "message is null");
        requireNonNull(at, "at is null");
    }
}
