package sh.stagehand.core.pipeline;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.PlatformSettings;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.Event;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.core.store.ProjectStore;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Collects development builds as Odoo.sh does: a build older than the retention
 * ({@code platform.development-retention-hours}) and not among the newest
 * {@code platform.development-keep-per-branch} of its branch loses its container, database, image
 * and workspace, and is marked {@link BuildState#STOPPED}. Builds still in progress are never
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
     * @return the builds collected
     */
    public synchronized List<Build> collect()
    {
        Instant cutoff = clock.instant().minus(settings.developmentRetention());
        List<Build> collected = new ArrayList<>();
        for (Project project : projects.listProjects()) {
            for (Branch branch : projects.listBranches(project.id())) {
                List<Build> newestFirst = builds.listBuilds(project.id(), branch.name());
                for (int index = settings.developmentKeepPerBranch(); index < newestFirst.size(); index++) {
                    Build build = newestFirst.get(index);
                    if (isCollectable(build, cutoff)) {
                        collected.add(collect(build));
                    }
                }
            }
        }
        return collected;
    }

    private static boolean isCollectable(Build build, Instant cutoff)
    {
        boolean cleanedAlready = build.state() == BuildState.STOPPED || build.state() == BuildState.SUPERSEDED;
        return build.stage() == Stage.DEVELOPMENT
                && !cleanedAlready
                && !build.state().isInProgress()
                && build.state() != BuildState.QUEUED
                && build.createdAt().isBefore(cutoff);
    }

    private Build collect(Build build)
    {
        log.info("Collecting build {} of {}/{}", build.id(), build.projectId(), build.branch());
        cleaner.removeEverything(build);
        Build stopped = build.withState(BuildState.STOPPED, "garbage collected: container, database and workspace removed")
                .withContainer(Optional.empty(), Optional.empty());
        builds.updateBuild(stopped);
        builds.appendEvent(new Event(0, build.projectId(), Optional.of(build.branch()), Optional.of(build.id()), EventKind.BUILD_GARBAGE_COLLECTED,
                "Build " + build.id() + " garbage collected", clock.instant()));
        return stopped;
    }
}
