package sh.stagehand.core;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.logs.BuildLogs;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.pipeline.BuildCleaner;
import sh.stagehand.core.pipeline.BuildScheduler;
import sh.stagehand.core.pipeline.GarbageCollector;
import sh.stagehand.core.pipeline.Reconciler;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.Event;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * Builds, their logs and history, and the platform's housekeeping. Thread-safe.
 */
@Singleton
public final class BuildService
{
    private final BuildStore builds;
    private final BuildLogs logs;
    private final BuildScheduler scheduler;
    private final GarbageCollector garbageCollector;
    private final Reconciler reconciler;
    private final BuildCleaner cleaner;
    private final Clock clock;

    @Inject
    public BuildService(BuildStore builds, BuildLogs logs, BuildScheduler scheduler, GarbageCollector garbageCollector, Reconciler reconciler, BuildCleaner cleaner, Clock clock)
    {
        this.cleaner = requireNonNull(cleaner, "cleaner is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.builds = requireNonNull(builds, "builds is null");
        this.logs = requireNonNull(logs, "logs is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.garbageCollector = requireNonNull(garbageCollector, "garbageCollector is null");
        this.reconciler = requireNonNull(reconciler, "reconciler is null");
    }

    public Build build(long buildId)
    {
        return builds.findBuild(buildId).orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "No build " + buildId));
    }

    /**
     * @return the branch's builds, newest first
     */
    public List<Build> builds(String projectId, String branch)
    {
        return builds.listBuilds(projectId, branch);
    }

    /**
     * @return the newest events of the project, or of one of its branches, newest first
     */
    public List<Event> history(String projectId, Optional<String> branch, int limit)
    {
        return builds.listEvents(projectId, branch, limit);
    }

    /**
     * @return the log's lines so far, all in memory; {@link #writeLog} streams a log of any size
     */
    public List<String> log(long buildId, LogName name)
    {
        build(buildId);
        return logs.read(buildId, name);
    }

    /**
     * Writes the log as written so far to {@code out}, streamed (a build may print gigabytes).
     */
    public void writeLog(long buildId, LogName name, java.io.OutputStream out)
    {
        build(buildId);
        logs.writeTo(buildId, name, out);
    }

    /**
     * Sends the log's lines so far, then each new one, until the handle is closed; {@code end} runs
     * when the log ends.
     */
    public AutoCloseable followLog(long buildId, LogName name, Consumer<String> lines, Runnable end)
    {
        build(buildId);
        return logs.follow(buildId, name, lines, end);
    }

    /**
     * Stops a build for good: its container, database, image, workspace and mail are removed, its
     * logs and history kept. Idempotent; refused while the build is being prepared or tested.
     *
     * @throws StagehandException {@code CONFLICT} while the build is in progress
     */
    public Build discard(long buildId)
    {
        Build build = build(buildId);
        if (build.state().isInProgress()) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Build " + buildId + " is " + build.state() + "; wait until it runs or fails");
        }
        if (build.state().isTerminal()) {
            cleaner.removeEverything(build);
            return build;
        }
        // Recorded first, conditionally: a queued build claimed by a worker meanwhile is not discarded under it.
        Build stopped = build.withState(BuildState.STOPPED, "discarded").withContainer(Optional.empty(), Optional.empty());
        if (!builds.updateBuildIf(build.state(), stopped)) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Build " + buildId + " changed state meanwhile; look at it again and retry");
        }
        cleaner.removeEverything(build);
        builds.appendEvent(build, EventKind.BUILD_STOPPED, "Build " + buildId + " discarded", clock.instant());
        return stopped;
    }

    public List<Build> collectGarbage()
    {
        return garbageCollector.collect();
    }

    public List<String> reconcile()
    {
        return reconciler.reconcile();
    }

    /**
     * Waits until no build is queued or running, for tests and orderly shutdowns.
     */
    public boolean awaitIdle(Duration timeout)
    {
        try {
            return scheduler.awaitIdle(timeout);
        }
        catch (InterruptedException e) {
            throw StagehandException.interrupted("waiting for the build queue", e);
        }
    }

    /**
     * @return the most builds that ran at once since start
     */
    public int mostBuildsRunningAtOnce()
    {
        return scheduler.mostRunningAtOnce();
    }
}
