package sh.stagehand.core;

import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.Event;
import sh.stagehand.core.store.EventKind;

import java.time.Clock;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The lines a project's history gets from what is done to the project and its branches (builds
 * write their own). Thread-safe.
 */
final class ProjectHistory
{
    private final BuildStore builds;
    private final Clock clock;

    ProjectHistory(BuildStore builds, Clock clock)
    {
        this.builds = requireNonNull(builds, "builds is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    void record(String projectId, Optional<String> branch, EventKind kind, String message)
    {
        builds.appendEvent(new Event(0, projectId, branch, Optional.empty(), kind, message, clock.instant()));
    }
}
