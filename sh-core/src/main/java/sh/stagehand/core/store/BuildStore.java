package sh.stagehand.core.store;

import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.project.Stage;

import java.time.Instant;
import java.util.List;
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
     * @return the branch's builds, newest first
     */
    List<Build> listBuilds(String projectId, String branch);

    /**
     * @return every build in one of the states, oldest first
     */
    List<Build> listBuildsInState(Set<BuildState> states);

    Event appendEvent(Event event);

    /**
     * @return the newest events of the project (of one branch when given), newest first
     */
    List<Event> listEvents(String projectId, Optional<String> branch, int limit);
}
