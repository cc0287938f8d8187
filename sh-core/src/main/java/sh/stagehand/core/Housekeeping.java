package sh.stagehand.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.access.AccountService;
import sh.stagehand.core.backup.BackupSettings;
import sh.stagehand.core.config.PlatformSettings;
import sh.stagehand.core.monitor.BuildMonitor;
import sh.stagehand.core.monitor.BuildSampler;
import sh.stagehand.core.monitor.MonitorSettings;
import sh.stagehand.core.pipeline.BuildSleep;
import sh.stagehand.core.pipeline.ServerMoves;
import sh.stagehand.core.production.ProductionBackups;
import sh.stagehand.core.project.Project;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * What a platform does by itself, started by {@link Stagehand#start()} and stopped by
 * {@link Stagehand#close()}: at start, the records are reconciled with what really runs (builds
 * cut off by a restart are built again, orphaned containers removed); then repositories without
 * webhooks are polled every {@code platform.poll-interval}, and old builds collected and due
 * trials ended every {@code platform.gc-interval} (0: never); every production is backed up
 * each day at {@code backup.daily-time} (UTC), and retention applied; running builds are sampled
 * every {@code monitor.sample-interval}, and their old samples rolled up hourly; idle builds are put to
 * sleep every {@code sleep.check-interval}. A failing round is logged and
 * the next one runs.
 * Thread-safe.
 */
public final class Housekeeping
        implements AutoCloseable
{
    private static final Logger log = LoggerFactory.getLogger(Housekeeping.class);

    private final BuildService builds;
    private final ProjectService projects;
    private final ProductionBackups backups;
    private final AccountService accounts;
    private final PlatformSettings settings;
    private final BackupSettings backupSettings;
    private final Monitoring monitoring;
    private final BuildSleep sleep;
    private final ServerMoves moves;
    private final Clock clock;
    private ScheduledExecutorService timers;
    // Sampling on a thread of its own: a slow round (a huge filestore) delays no backup, and no backup delays it.
    private ScheduledExecutorService sampling;
    private ScheduledExecutorService probing;
    private boolean closed;

    /**
     * What monitoring does on its own: each running build sampled every {@code monitor.sample-interval},
     * old samples rolled up into hours every hour, each production probed every {@code monitor.probe-interval}.
     */
    public record Monitoring(BuildSampler sampler, BuildMonitor monitor, ProductionWatch watch, MonitorSettings settings)
    {
        public Monitoring
        {
            requireNonNull(sampler, "sampler is null");
            requireNonNull(monitor, "monitor is null");
            requireNonNull(watch, "watch is null");
            requireNonNull(settings, "settings is null");
        }
    }

    public Housekeeping(BuildService builds, ProjectService projects, ProductionBackups backups, AccountService accounts, PlatformSettings settings, BackupSettings backupSettings,
            Monitoring monitoring, BuildSleep sleep, ServerMoves moves, Clock clock)
    {
        this.moves = requireNonNull(moves, "moves is null");
        this.sleep = requireNonNull(sleep, "sleep is null");
        this.monitoring = requireNonNull(monitoring, "monitoring is null");
        this.accounts = requireNonNull(accounts, "accounts is null");
        this.builds = requireNonNull(builds, "builds is null");
        this.projects = requireNonNull(projects, "projects is null");
        this.backups = requireNonNull(backups, "backups is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.backupSettings = requireNonNull(backupSettings, "backupSettings is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * Reconciles, then starts the timers. Idempotent.
     */
    public synchronized void start()
    {
        if (closed) {
            throw new IllegalStateException("The platform is shut down");
        }
        if (timers != null) {
            return;
        }
        // Before reconciling: a restore a stopped platform left half-done is finished before
        // production serves again, and no resubmitted build finds its scratch space deleted.
        try {
            backups.recoverAfterStop().forEach(done -> log.info("At start: {}", done));
        }
        catch (RuntimeException e) {
            log.error("Cannot put right what a stopped platform left of its backup work; the next start tries again", e);
        }
        builds.reconcile();
        timers = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "stagehand-housekeeping");
            thread.setDaemon(true);
            return thread;
        });
        schedule(settings.pollInterval(), "poll repositories", this::pollAll);
        schedule(settings.gcInterval(), "collect garbage", builds::collectGarbage);
        // A cluster moves a server off a drained or lost node: its new address is recorded.
        schedule(Duration.ofSeconds(15), "follow moved servers", moves::followAll);
        if (sleep.settings().enabled()) {
            schedule(sleep.settings().checkInterval(), "put idle builds to sleep", sleep::sleepIdle);
        }
        schedule(settings.gcInterval(), "end due trials", projects::endTrials);
        schedule(settings.gcInterval(), "forget ended sessions", accounts::forgetEndedSessions);
        schedule(Duration.ofHours(1), "roll up old samples", monitoring.monitor()::compact);
        if (monitoring.settings().enabled()) {
            sampling = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "stagehand-sampling");
                thread.setDaemon(true);
                return thread;
            });
            schedule(sampling, monitoring.settings().sampleInterval(), "sample the running builds", monitoring.sampler()::sampleAll);
        }
        if (!monitoring.settings().probeInterval().isZero()) {
            probing = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "stagehand-probing");
                thread.setDaemon(true);
                return thread;
            });
            schedule(probing, monitoring.settings().probeInterval(), "probe every production", monitoring.watch()::probeAll);
        }
        backupSettings.dailyTime().ifPresent(time -> {
            Duration untilFirst = untilNext(time, clock.instant());
            timers.scheduleAtFixedRate(() -> {
                try {
                    backups.backUpEveryProduction();
                }
                catch (RuntimeException e) {
                    log.warn("Failed to back up production", e);
                }
            }, untilFirst.toMillis(), Duration.ofDays(1).toMillis(), TimeUnit.MILLISECONDS);
            log.info("Production backups run daily at {} UTC, first in {} min", time, untilFirst.toMinutes());
        });
    }

    /**
     * How long from {@code now} until the next {@code time} of day, UTC.
     */
    static Duration untilNext(LocalTime time, Instant now)
    {
        ZonedDateTime utc = now.atZone(ZoneOffset.UTC);
        ZonedDateTime next = utc.with(time);
        if (!next.isAfter(utc)) {
            next = next.plusDays(1);
        }
        return Duration.between(utc, next);
    }

    private void pollAll()
    {
        for (Project project : projects.projects()) {
            try {
                projects.poll(project.id());
            }
            catch (RuntimeException e) {
                log.warn("Polling {} failed: {}", project.id(), e.getMessage());
            }
        }
    }

    private void schedule(Duration interval, String what, Runnable task)
    {
        schedule(timers, interval, what, task);
    }

    private static void schedule(ScheduledExecutorService executor, Duration interval, String what, Runnable task)
    {
        if (interval.isZero()) {
            return;
        }
        executor.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            }
            // An Error too: thrown out of here, it would end the schedule for good, silently.
            catch (RuntimeException | Error e) {
                log.warn("Failed to {}", what, e);
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close()
    {
        closed = true;
        if (timers != null) {
            timers.shutdownNow();
            timers = null;
        }
        if (sampling != null) {
            sampling.shutdownNow();
            sampling = null;
        }
        if (probing != null) {
            probing.shutdownNow();
            probing = null;
        }
    }
}
