package sh.stagehand.core.pipeline;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.config.PlatformSettings;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.core.store.ProjectStore;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Collects development builds as Odoo.sh does: a build older than the retention
 * ({@code platform.development-retention}) and not among the newest
 * {@code platform.development-keep-per-branch} of its branch loses its container, database, image
 * and workspace, and is marked {@link BuildState#STOPPED}, asleep or not. Builds still in progress are never
 * touched. Thread-safe.
 */
@Singleton
public final class GarbageCollector
{
    private static final Logger log = LoggerFactory.getLogger(GarbageCollector.class);

    private final ProjectStore projects;
    private final BuildStore builds;
    private final BuildCleaner cleaner;
    private final PlatformSettings settings;
    private final Clock clock;

    @Inject
    public GarbageCollector(ProjectStore projects, BuildStore builds, BuildCleaner cleaner, PlatformSettings settings, Clock clock)
    {
        this.projects = requireNonNull(projects, "projects is null");
        this.builds = requireNonNull(builds, "builds is null");
        this.cleaner = requireNonNull(cleaner, "cleaner is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * @return the builds collected; a build that could not be cleaned is logged, left as it was, and
     *         tried again at the next collection, without stopping the others
     */
    public synchronized List<Build> collect()
    {
        Instant cutoff = clock.instant().minus(settings.developmentRetention());
        List<Build> collected = new ArrayList<>();
        // From the builds, not the branches: a deleted branch's builds must be collected too.
        Set<List<String>> branches = new LinkedHashSet<>();
        for (Build build : builds.listBuildsInState(EnumSet.of(BuildState.RUNNING, BuildState.SLEEPING, BuildState.FAILED))) {
            branches.add(List.of(build.projectId(), build.branch()));
        }
        for (List<String> branch : branches) {
            String projectId = branch.get(0);
            String name = branch.get(1);
            // A deleted branch keeps none of its builds once they are past the retention.
            int keep = projects.findBranch(projectId, name).isPresent() ? settings.developmentKeepPerBranch() : 0;
            List<Build> newestFirst = builds.listBuilds(projectId, name);
            for (int index = keep; index < newestFirst.size(); index++) {
                Build build = newestFirst.get(index);
                if (isCollectable(build, cutoff)) {
                    try {
                        collected.add(collect(build));
                    }
                    catch (RuntimeException e) {
                        log.warn("Cannot collect build {} of {}/{}; trying again next time: {}", build.id(), projectId, name, e.getMessage(), e);
                    }
                }
            }
        }
        return collected;
    }

    private static boolean isCollectable(Build build, Instant cutoff)
    {
        return build.stage() == Stage.DEVELOPMENT
                && (build.state() == BuildState.RUNNING || build.state() == BuildState.SLEEPING || build.state() == BuildState.FAILED)
                && build.createdAt().isBefore(cutoff);
    }

    private Build collect(Build build)
    {
        return collect(build, "garbage collected: container, database and workspace removed");
    }

    /**
     * Collects one build now: its container, database, image and workspace go, and it is marked
     * {@link BuildState#STOPPED} saying why.
     */
    public Build collect(Build build, String why)
    {
        log.info("Collecting build {} of {}/{}: {}", build.id(), build.projectId(), build.branch(), why);
        Build stopped = build.withState(BuildState.STOPPED, why)
                .withContainer(Optional.empty(), Optional.empty());
        cleaner.removeEverything(build);
        builds.updateBuild(stopped);
        builds.appendEvent(build, EventKind.BUILD_GARBAGE_COLLECTED, "Build " + build.id() + " garbage collected", clock.instant());
        return stopped;
    }
}
