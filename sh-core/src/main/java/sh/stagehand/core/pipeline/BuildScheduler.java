package sh.stagehand.core.pipeline;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildNames;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.config.PlatformSettings;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.spi.RandomSecrets;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static java.util.Objects.requireNonNull;

/**
 * The build queue: at most {@code platform.max-concurrent-builds} builds are prepared and tested at
 * once, the others wait in order. A newer push to a branch supersedes that branch's builds still
 * waiting. Thread-safe.
 */
public final class BuildScheduler
        implements AutoCloseable
{
    private static final Logger log = LoggerFactory.getLogger(BuildScheduler.class);

    private final BuildStore builds;
    private final MeterRegistry meters;
    private final BuildRunner runner;
    private final PlatformSettings settings;
    private final Clock clock;
    private final ExecutorService workers;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger mostRunningAtOnce = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();

    public BuildScheduler(BuildStore builds, BuildRunner runner, PlatformSettings settings, Clock clock)
    {
        this(builds, runner, settings, new SimpleMeterRegistry(), clock);
    }

    /**
     * @param meters where {@code stagehand.builds.queued}, {@code stagehand.builds.building} and
     *        {@code stagehand.build.duration} (by stage and outcome) are kept
     */
    public BuildScheduler(BuildStore builds, BuildRunner runner, PlatformSettings settings, MeterRegistry meters, Clock clock)
    {
        this.meters = requireNonNull(meters, "meters is null");
        this.builds = requireNonNull(builds, "builds is null");
        this.runner = requireNonNull(runner, "runner is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.clock = requireNonNull(clock, "clock is null");
        AtomicInteger threadNumber = new AtomicInteger();
        Gauge.builder("stagehand.builds.queued", this, scheduler -> Math.max(0, scheduler.pending.get() - scheduler.running.get()))
                .description("builds waiting for a worker")
                .register(meters);
        Gauge.builder("stagehand.builds.building", running, AtomicInteger::get)
                .description("builds being prepared, installed and tested")
                .register(meters);
        this.workers = Executors.newFixedThreadPool(settings.maxConcurrentBuilds(), runnable -> {
            Thread thread = new Thread(runnable, "stagehand-build-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Queues a build of the commit, superseding the branch's builds still queued.
     */
    public Build enqueue(String projectId, String branch, String commitId, Stage stage)
    {
        Build build = builds.createBuild(projectId, branch, commitId, stage, settings.domain(), newSmtpPassword(), clock.instant());
        if (stage == Stage.PRODUCTION) {
            // Production's database and host name outlive its builds.
            build = build.withNames(BuildNames.productionDatabaseName(projectId), BuildNames.productionHostname(projectId, settings.domain()));
            builds.updateBuild(build);
        }
        for (Build older : builds.listBuilds(projectId, branch)) {
            Build superseded = older.withState(BuildState.SUPERSEDED, "superseded by build " + build.id() + " of " + BuildNames.shortCommit(commitId)).withFinishedAt(clock.instant());
            // Conditional: a worker may be claiming it at this moment; then it runs, and that is fine.
            if (older.id() < build.id() && older.state() == BuildState.QUEUED && builds.updateBuildIf(BuildState.QUEUED, superseded)) {
                builds.appendEvent(older, EventKind.BUILD_SUPERSEDED, "Build " + older.id() + " superseded by build " + build.id(), clock.instant());
            }
        }
        builds.appendEvent(build, EventKind.BUILD_QUEUED, "Build " + build.id() + " of " + BuildNames.shortCommit(commitId) + " queued", clock.instant());
        submit(build.id());
        return build;
    }

    /**
     * Puts a build recorded as queued (e.g. before a restart) back in the queue.
     */
    public void resubmit(Build build)
    {
        if (build.state() == BuildState.QUEUED) {
            submit(build.id());
        }
    }

    /**
     * @return the largest number of builds that ran at once since start
     */
    public int mostRunningAtOnce()
    {
        return mostRunningAtOnce.get();
    }

    /**
     * Waits until no build is queued or running.
     *
     * @return whether the queue emptied within {@code timeout}
     */
    public boolean awaitIdle(Duration timeout)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (pending.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    @Override
    public void close()
    {
        workers.shutdownNow();
        try {
            if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("Builds still running after 30 s; they are reconciled at the next start");
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void submit(long buildId)
    {
        pending.incrementAndGet();
        workers.execute(() -> {
            try {
                Optional<Build> claimed = claim(buildId);
                if (claimed.isPresent()) {
                    int now = running.incrementAndGet();
                    mostRunningAtOnce.accumulateAndGet(now, Math::max);
                    Timer.Sample started = Timer.start(meters);
                    try {
                        runner.run(claimed.get());
                    }
                    finally {
                        running.decrementAndGet();
                        started.stop(Timer.builder("stagehand.build.duration")
                                .description("builds from their start to their verdict, by stage and outcome")
                                .tag("stage", claimed.get().stage().name().toLowerCase(Locale.ROOT))
                                .tag("outcome", outcome(buildId))
                                .register(meters));
                    }
                }
            }
            catch (RuntimeException e) {
                log.error("Build {} failed outside its pipeline", buildId, e);
            }
            finally {
                pending.decrementAndGet();
            }
        });
    }

    // The verdict of a build that ran (success, warning, failed), else where it ended (stopped, superseded).
    private String outcome(long buildId)
    {
        try {
            return builds.findBuild(buildId)
                    .map(build -> build.verdict().map(Enum::name).orElse(build.state().name()))
                    .orElse("gone")
                    .toLowerCase(Locale.ROOT);
        }
        catch (RuntimeException e) {
            // Never in the way of what the build itself threw.
            return "unknown";
        }
    }

    private Optional<Build> claim(long buildId)
    {
        // Conditional: a newer push may supersede it, or someone discard it, at this moment.
        return builds.findBuild(buildId)
                .filter(build -> build.state() == BuildState.QUEUED)
                .map(build -> build.withState(BuildState.BUILDING, "preparing").withStartedAt(clock.instant()))
                .filter(claimed -> builds.updateBuildIf(BuildState.QUEUED, claimed));
    }

    private static String newSmtpPassword()
    {
        return RandomSecrets.randomHex(18);
    }
}
