package sh.stagehand.core.store;

import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.project.Stage;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds and the history of events. Implementations are thread-safe.
 */
public interface BuildStore
{
    /**
     * Creates a queued build, naming its database and host from its new id.
     */
    Build createBuild(String projectId, String branch, String commitId, Stage stage, String domain, String smtpPassword, Instant createdAt);

    Optional<Build> findBuild(long buildId);

    /**
     * Replaces the stored build of that id.
     */
    void updateBuild(Build build);

    /**
     * Replaces the stored build of that id if it is still in {@code expected}: a state transition
     * that two actors may race for (claiming a queued build, discarding it) happens once.
     *
     * @return whether it was replaced
     */
    boolean updateBuildIf(BuildState expected, Build build);

    /**
     * @return the branch's builds, newest first
     */
    List<Build> listBuilds(String projectId, String branch);

    /**
     * @return the newest builds of each branch of the project that has any, at most
     *         {@code perBranch} each, newest first
     */
    Map<String, List<Build>> listRecentBuilds(String projectId, int perBranch);

    /**
     * @return every build in one of the states, oldest first
     */
    List<Build> listBuildsInState(Set<BuildState> states);

    Event appendEvent(Event event);

    /**
     * Appends an event about a build to its branch's history.
     */
    default Event appendEvent(Build build, EventKind kind, String message, Instant at)
    {
        return appendEvent(new Event(0, build.projectId(), Optional.of(build.branch()), Optional.of(build.id()), kind, message, at));
    }

    /**
     * @return the newest events of the project (of one branch when given), newest first
     */
    List<Event> listEvents(String projectId, Optional<String> branch, int limit);
}
