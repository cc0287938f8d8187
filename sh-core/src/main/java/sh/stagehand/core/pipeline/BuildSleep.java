package sh.stagehand.core.pipeline;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.pipeline.BuildSteps.Source;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.core.workspace.BuildWorkspaces;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseConnection;
import sh.stagehand.spi.database.DatabaseProvider;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Idle development and staging builds sleep, and wake on their first request, as Odoo.sh's idle
 * workers do: a build without a request for {@code sleep.idle-after}, or the least recently used
 * beyond a cap on running builds ({@link SleepSettings}), loses its server container and is
 * {@link BuildState#SLEEPING}; its database, files and image stay. {@link #wake} starts its server
 * again on them, once however many requests ask at the same time. A wake that fails is answered
 * as failed for {@value #FAILURE_KEPT_SECONDS} s without trying again, so a storm of requests does
 * not start a storm of containers. Production never sleeps. A platform stopped while a build
 * wakes finds it asleep at its next start, the container it was starting removed
 * ({@link Reconciler}). Thread-safe.
 */
@Singleton
public final class BuildSleep
        implements SleepingBuilds, AutoCloseable
{
    private static final Logger log = LoggerFactory.getLogger(BuildSleep.class);
    private static final long FAILURE_KEPT_SECONDS = 30;

    private final BuildStore builds;
    private final ProjectStore projects;
    private final BuildSteps steps;
    private final BuildCleaner cleaner;
    private final DatabaseProvider databases;
    private final BuildWorkspaces workspaces;
    private final SleepSettings settings;
    private final Clock clock;
    private final Instant startedAt;
    // The last request to each build since the platform started.
    private final Map<Long, Instant> lastRequests = new ConcurrentHashMap<>();
    private final Map<Long, CompletableFuture<Build>> waking = new ConcurrentHashMap<>();
    private final Map<Long, Failure> failures = new ConcurrentHashMap<>();
    // Which builds sleep is decided by one thread at a time: two wakes never both make room.
    private final Object decisions = new Object();
    private final ExecutorService wakers = Executors.newCachedThreadPool(new ThreadFactoryBuilder().setNameFormat("stagehand-wake-%d").setDaemon(true).build());

    private record Failure(StagehandException error, Instant at) {}

    @Inject
    public BuildSleep(BuildStore builds, ProjectStore projects, BuildSteps steps, BuildCleaner cleaner, DatabaseProvider databases, BuildWorkspaces workspaces, SleepSettings settings,
            Clock clock)
    {
        this.builds = requireNonNull(builds, "builds is null");
        this.projects = requireNonNull(projects, "projects is null");
        this.steps = requireNonNull(steps, "steps is null");
        this.cleaner = requireNonNull(cleaner, "cleaner is null");
        this.databases = requireNonNull(databases, "databases is null");
        this.workspaces = requireNonNull(workspaces, "workspaces is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.startedAt = clock.instant();
    }

    public SleepSettings settings()
    {
        return settings;
    }

    @Override
    public Duration wakeWait()
    {
        return settings.wakeWait();
    }

    @Override
    public void touch(long buildId)
    {
        lastRequests.put(buildId, clock.instant());
    }

    /**
     * Puts to sleep the development and staging builds idle for {@code sleep.idle-after}, then the
     * least recently used of those beyond the caps on running builds.
     *
     * @return the builds put to sleep
     */
    public List<Build> sleepIdle()
    {
        if (!settings.enabled()) {
            return List.of();
        }
        synchronized (decisions) {
            List<Build> slept = new ArrayList<>();
            if (!settings.idleAfter().isZero()) {
                Instant cutoff = clock.instant().minus(settings.idleAfter());
                for (Build build : sleepable()) {
                    if (lastActive(build).isBefore(cutoff)) {
                        sleep(build, "asleep: no request for " + minutes(settings.idleAfter())).ifPresent(slept::add);
                    }
                }
            }
            slept.addAll(makeRoom(OptionalLong.empty()));
            return slept;
        }
    }

    /**
     * Puts a running development or staging build to sleep now.
     *
     * @throws StagehandException {@code CONFLICT} for a build that is not running, or production's
     */
    public Build sleep(long buildId)
    {
        Build build = builds.findBuild(buildId).orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "No build " + buildId));
        if (build.stage() == Stage.PRODUCTION) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Production never sleeps");
        }
        synchronized (decisions) {
            return sleep(build, "asleep: put to sleep by hand")
                    .orElseThrow(() -> new StagehandException(StandardErrorCode.CONFLICT, "Build " + buildId + " is " + build.state().name().toLowerCase(Locale.ROOT)
                            + " or waking: only a running build is put to sleep"));
        }
    }

    /**
     * Wakes a sleeping build: its server started again on its database and files, once for
     * however many callers ask while it wakes.
     */
    @Override
    public CompletableFuture<Build> wake(long buildId)
    {
        Failure failed = failures.get(buildId);
        if (failed != null && failed.at().plusSeconds(FAILURE_KEPT_SECONDS).isAfter(clock.instant())) {
            return CompletableFuture.failedFuture(failed.error());
        }
        CompletableFuture<Build> mine = new CompletableFuture<>();
        CompletableFuture<Build> running = waking.putIfAbsent(buildId, mine);
        if (running != null) {
            return running;
        }
        try {
            wakers.execute(() -> {
                try {
                    Build woken = wakeNow(buildId);
                    failures.remove(buildId);
                    mine.complete(woken);
                }
                catch (RuntimeException | Error e) {
                    StagehandException error = e instanceof StagehandException known ? known
                            : new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Build " + buildId + " could not wake: " + e.getMessage(), e);
                    failures.put(buildId, new Failure(error, clock.instant()));
                    mine.completeExceptionally(error);
                }
                finally {
                    waking.remove(buildId, mine);
                }
            });
        }
        catch (RejectedExecutionException e) {
            waking.remove(buildId, mine);
            mine.completeExceptionally(new StagehandException(StandardErrorCode.CONFLICT, "The platform is stopping: no build wakes now", e));
        }
        return mine;
    }

    /**
     * @return whether the build is waking now
     */
    public boolean isWaking(long buildId)
    {
        return waking.containsKey(buildId);
    }

    @Override
    public void close()
    {
        wakers.shutdownNow();
    }

    private Build wakeNow(long buildId)
    {
        Build build = builds.findBuild(buildId).orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "No build " + buildId));
        if (build.state() == BuildState.RUNNING) {
            return build;
        }
        if (build.state() != BuildState.SLEEPING) {
            throw new StagehandException(StandardErrorCode.CONFLICT, "Build " + buildId + " is " + build.state().name().toLowerCase(Locale.ROOT)
                    + ", not asleep: it cannot be woken; rebuild it");
        }
        Instant started = clock.instant();
        synchronized (decisions) {
            makeRoom(OptionalLong.of(buildId)).forEach(slept -> log.info("Build {} put to sleep to make room for build {}", slept.id(), buildId));
        }
        try {
            Source source = steps.existingSource(build);
            DatabaseConnection connection = databases.renewCredentials(build.databaseName());
            boolean crons = projects.findBranch(build.projectId(), build.branch()).map(Branch::cronsEnabled).orElse(false);
            // Answered once Odoo loaded its registry: the request waiting is then answered at once.
            BuildSteps.Health health = build.stage() == Stage.STAGING ? BuildSteps.Health.DATABASE : BuildSteps.Health.LOADED;
            Build woken = steps.serveAgain(build, source, connection, workspaces.data(build.id()), crons, health, "woken by a request");
            touch(buildId);
            log.info("Build {} of {}/{} woke in {} ms", buildId, build.projectId(), build.branch(), Duration.between(started, clock.instant()).toMillis());
            return woken;
        }
        catch (RuntimeException e) {
            log.warn("Build {} of {}/{} could not wake: {}", buildId, build.projectId(), build.branch(), e.getMessage(), e);
            builds.findBuild(buildId).filter(now -> now.state() == BuildState.SLEEPING)
                    .ifPresent(now -> steps.update(now.withState(BuildState.SLEEPING, "asleep; waking it failed: " + e.getMessage())));
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Build " + buildId + " could not wake: " + e.getMessage()
                    + ". Its database and files are kept: rebuild it, or try again in a minute", e);
        }
    }

    // The least recently used builds put to sleep until the caps hold, with room for `waking` if given.
    private List<Build> makeRoom(OptionalLong wakingId)
    {
        if (settings.maxRunningPerProject() == 0 && settings.maxRunning() == 0) {
            return List.of();
        }
        List<Build> leastRecentFirst = new ArrayList<>(sleepable().stream()
                .filter(build -> wakingId.isEmpty() || build.id() != wakingId.getAsLong())
                .sorted(Comparator.comparing(this::lastActive).thenComparingLong(Build::id))
                .toList());
        Optional<String> wakingProject = wakingId.isPresent() ? builds.findBuild(wakingId.getAsLong()).map(Build::projectId) : Optional.empty();
        List<Build> slept = new ArrayList<>();
        if (settings.maxRunningPerProject() > 0) {
            Map<String, List<Build>> byProject = leastRecentFirst.stream().collect(Collectors.groupingBy(Build::projectId));
            byProject.forEach((projectId, running) -> {
                int over = running.size() + (wakingProject.map(projectId::equals).orElse(false) ? 1 : 0) - settings.maxRunningPerProject();
                for (int index = 0; index < over && index < running.size(); index++) {
                    sleep(running.get(index), "asleep: project " + projectId + " runs at most " + settings.maxRunningPerProject() + " builds at once (sleep.max-running-per-project), "
                            + "and this was the least recently used").ifPresent(slept::add);
                }
            });
            leastRecentFirst.removeIf(build -> slept.stream().anyMatch(gone -> gone.id() == build.id()));
        }
        if (settings.maxRunning() > 0) {
            int over = leastRecentFirst.size() + (wakingId.isPresent() ? 1 : 0) - settings.maxRunning();
            for (int index = 0; index < over && index < leastRecentFirst.size(); index++) {
                sleep(leastRecentFirst.get(index), "asleep: the platform runs at most " + settings.maxRunning() + " builds at once (sleep.max-running), and this was the least "
                        + "recently used").ifPresent(slept::add);
            }
        }
        return slept;
    }

    // Running development and staging builds with a server, not waking.
    private List<Build> sleepable()
    {
        return builds.listBuildsInState(EnumSet.of(BuildState.RUNNING)).stream()
                .filter(build -> build.stage() != Stage.PRODUCTION && build.containerId().isPresent() && !waking.containsKey(build.id()))
                .toList();
    }

    private Optional<Build> sleep(Build listed, String why)
    {
        Optional<Build> now = builds.findBuild(listed.id()).filter(build -> build.state() == BuildState.RUNNING && build.stage() != Stage.PRODUCTION);
        if (now.isEmpty() || waking.containsKey(listed.id())) {
            return Optional.empty();
        }
        cleaner.removeContainers(listed.id());
        Build asleep = steps.update(now.get().withState(BuildState.SLEEPING, why).withContainer(Optional.empty(), Optional.empty()));
        lastRequests.remove(listed.id());
        log.info("Build {} of {}/{} {}", asleep.id(), asleep.projectId(), asleep.branch(), why);
        return Optional.of(asleep);
    }

    // Its last request, or when it started serving, or when the platform started, whichever is last.
    private Instant lastActive(Build build)
    {
        Instant active = build.finishedAt().or(build::startedAt).orElse(build.createdAt());
        Instant request = lastRequests.getOrDefault(build.id(), Instant.MIN);
        return max(max(active, request), startedAt);
    }

    private static Instant max(Instant a, Instant b)
    {
        return a.isAfter(b) ? a : b;
    }

    private static String minutes(Duration duration)
    {
        return duration.toSeconds() < 120 ? duration.toSeconds() + " s" : duration.toMinutes() + " min";
    }
}
