package sh.stagehand.core.monitor;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.files.ContainerDirectory;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.BuildSample;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.MetricStore;
import sh.stagehand.core.workspace.BuildWorkspaces;
import sh.stagehand.core.workspace.Filestores;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.spi.runtime.ContainerStats;
import sh.stagehand.spi.runtime.RuntimeProvider;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.ToDoubleFunction;

import static java.util.Objects.requireNonNull;

/**
 * Samples every running build, a round at a time: its container's CPU and memory (the runtime's
 * stats), its database's size, its filestore's size (walked without following a link the tenant
 * put there), and what {@link BuildTraffic} counted since the last round. Each round is kept in the
 * {@link MetricStore}, and the newest of each build is also a set of gauges in the platform's
 * {@link MeterRegistry} ({@code stagehand.build.*}, tagged with project, branch, build and stage),
 * removed when the build stops. What a provider cannot tell is left out of the sample; a build that
 * fails to be sampled is logged, what it served is counted in its next sample, and the round goes
 * on; a round the store refuses is stored with the next one.
 *
 * <p>A filestore is walked at most every {@code monitor.filestore-interval} (a production's may
 * hold millions of files), its size kept between walks; a walk that fails is not tried again
 * before the interval is over. Thread-safe; rounds are serialized.
 */
public final class BuildSampler
        implements AutoCloseable
{
    private static final Logger log = LoggerFactory.getLogger(BuildSampler.class);

    private final BuildStore builds;
    private final RuntimeProvider runtime;
    private final DatabaseProvider databases;
    private final BuildWorkspaces workspaces;
    private final BuildTraffic traffic;
    private final MetricStore store;
    private final MeterRegistry registry;
    private final Clock clock;
    private static final int MAX_UNSTORED = 10_000;
    private static final Duration STATS_TIMEOUT = Duration.ofSeconds(10);

    private final Duration filestoreInterval;
    private final Instant started;
    private final Map<Long, Sampled> sampled = new ConcurrentHashMap<>();
    private final Map<Long, FilestoreSize> filestores = new ConcurrentHashMap<>();
    private final List<BuildSample> unstored = new ArrayList<>();
    private final ExecutorService statsReaders = Executors.newFixedThreadPool(64, new ThreadFactoryBuilder().setNameFormat("stagehand-stats-%d").setDaemon(true).build());

    public BuildSampler(BuildStore builds, RuntimeProvider runtime, DatabaseProvider databases, BuildWorkspaces workspaces, BuildTraffic traffic, MetricStore store,
            MeterRegistry registry, Duration filestoreInterval, Clock clock)
    {
        this.filestoreInterval = requireNonNull(filestoreInterval, "filestoreInterval is null");
        this.builds = requireNonNull(builds, "builds is null");
        this.runtime = requireNonNull(runtime, "runtime is null");
        this.databases = requireNonNull(databases, "databases is null");
        this.workspaces = requireNonNull(workspaces, "workspaces is null");
        this.traffic = requireNonNull(traffic, "traffic is null");
        this.store = requireNonNull(store, "store is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.started = clock.instant();
    }

    /**
     * Samples every running build once, and stores the samples.
     *
     * @return the samples taken
     */
    public synchronized List<BuildSample> sampleAll()
    {
        List<BuildSample> round = new ArrayList<>();
        Set<Long> running = new HashSet<>();
        List<Build> toSample = builds.listBuildsInState(Set.of(BuildState.RUNNING)).stream().filter(build -> build.containerId().isPresent()).toList();
        // Every container's stats asked at once: an engine answers each at its next reading (dockerd
        // reads every second), so one at a time a round would take a second per build.
        Map<Long, Future<Optional<ContainerStats>>> stats = new HashMap<>();
        for (Build build : toSample) {
            stats.put(build.id(), statsReaders.submit(() -> containerStats(build)));
        }
        for (Build build : toSample) {
            running.add(build.id());
            try {
                round.add(sample(build, stats.get(build.id())));
            }
            catch (RuntimeException e) {
                log.warn("Cannot sample build {} of {}/{}: {}", build.id(), build.projectId(), build.branch(), e.getMessage());
            }
        }
        // Builds that run no more: their gauges go, their filestores' sizes, what the proxy counted for them.
        for (Long gone : Set.copyOf(sampled.keySet())) {
            if (!running.contains(gone)) {
                sampled.remove(gone).meters().forEach(registry::remove);
            }
        }
        filestores.keySet().retainAll(running);
        traffic.retainOnly(running);
        unstored.addAll(round);
        try {
            store.append(List.copyOf(unstored));
            unstored.clear();
        }
        catch (RuntimeException e) {
            log.warn("Cannot store {} build samples; they are stored with the next round: {}", unstored.size(), e.getMessage());
            if (unstored.size() > MAX_UNSTORED) {
                unstored.subList(0, unstored.size() - MAX_UNSTORED).clear();
            }
        }
        return round;
    }

    private BuildSample sample(Build build, Future<Optional<ContainerStats>> asked)
    {
        Optional<ContainerStats> stats;
        try {
            stats = asked.get(STATS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtimeException ? runtimeException : new IllegalStateException(e.getCause());
        }
        catch (TimeoutException e) {
            asked.cancel(true);
            log.info("The runtime told nothing of build {}'s container within {} s", build.id(), STATS_TIMEOUT.toSeconds());
            stats = Optional.empty();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw StagehandException.interrupted("sampling build " + build.id(), e);
        }
        Instant now = clock.instant();
        Sampled previous = sampled.get(build.id());
        // A first sample covers the build's time since the sampler began counting its traffic.
        Instant buildStarted = build.startedAt().orElse(build.createdAt());
        Instant since = previous != null ? previous.at() : buildStarted.isAfter(started) ? buildStarted : started;
        Duration period = Duration.between(since, now);
        if (period.isNegative() || period.isZero()) {
            period = Duration.ofMillis(1);
        }
        OptionalDouble cpus = OptionalDouble.empty();
        if (stats.isPresent() && previous != null && previous.stats().isPresent()) {
            ContainerStats before = previous.stats().get();
            long wallNanos = Duration.between(before.at(), stats.get().at()).toNanos();
            if (wallNanos > 0 && stats.get().cpuNanos() >= before.cpuNanos()) {
                cpus = OptionalDouble.of((double) (stats.get().cpuNanos() - before.cpuNanos()) / wallNanos);
            }
        }
        OptionalLong databaseBytes = databaseSize(build);
        OptionalLong filestoreBytes = filestoreSize(build, now);
        // Last: a sample that failed before leaves what the proxy counted for the next one.
        BuildTraffic.Tally tally = traffic.drain(build.id());
        BuildSample sample = new BuildSample(build.projectId(), build.branch(), build.id(), now, period, false, cpus,
                stats.map(value -> OptionalLong.of(value.memoryBytes())).orElse(OptionalLong.empty()),
                databaseBytes, filestoreBytes,
                tally.successes(), tally.errors(), tally.limited(), tally.p50Millis(), tally.p95Millis(), tally.concurrent(), tally.mailsSent(), tally.mailsCaught());
        Sampled next = new Sampled(now, stats, sample, previous == null ? meters(build) : previous.meters());
        sampled.put(build.id(), next);
        return sample;
    }

    private Optional<ContainerStats> containerStats(Build build)
    {
        try {
            return runtime.stats(build.containerId().orElseThrow());
        }
        catch (StagehandException e) {
            if (e.errorCode().equals(StandardErrorCode.NOT_SUPPORTED.toErrorCode()) || e.errorCode().equals(StandardErrorCode.NOT_FOUND.toErrorCode())) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private OptionalLong databaseSize(Build build)
    {
        try {
            return OptionalLong.of(databases.size(build.databaseName()));
        }
        catch (StagehandException e) {
            if (e.errorCode().equals(StandardErrorCode.NOT_SUPPORTED.toErrorCode()) || e.errorCode().equals(StandardErrorCode.NOT_FOUND.toErrorCode())) {
                return OptionalLong.empty();
            }
            throw e;
        }
    }

    private OptionalLong filestoreSize(Build build, Instant now)
    {
        FilestoreSize known = filestores.get(build.id());
        if (known != null && Duration.between(known.at(), now).compareTo(filestoreInterval) < 0) {
            return known.bytes();
        }
        ContainerDirectory data = build.stage() == Stage.PRODUCTION ? workspaces.productionDataDirectory(build.projectId()) : workspaces.dataDirectory(build.id());
        OptionalLong bytes;
        long walkStarted = System.nanoTime();
        try {
            bytes = OptionalLong.of(data.usage(Filestores.of(build.databaseName())).bytes());
        }
        catch (IOException | RuntimeException e) {
            log.info("Cannot size the filestore of build {} of {}; tried again in {}: {}", build.id(), build.projectId(), filestoreInterval, e.toString());
            // The size known before, if any, until the next walk.
            bytes = known == null ? OptionalLong.empty() : known.bytes();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - walkStarted);
        if (took.compareTo(Duration.ofSeconds(10)) > 0) {
            log.warn("Sizing the filestore of build {} of {} took {} s", build.id(), build.projectId(), took.toSeconds());
        }
        filestores.put(build.id(), new FilestoreSize(now, bytes));
        return bytes;
    }

    private record FilestoreSize(Instant at, OptionalLong bytes) {}

    private List<Meter> meters(Build build)
    {
        Tags tags = Tags.of("project", build.projectId(), "branch", build.branch(), "build", Long.toString(build.id()), "stage", build.stage().name().toLowerCase(Locale.ROOT));
        long id = build.id();
        List<Meter> meters = new ArrayList<>();
        meters.add(gauge("stagehand.build.cpu.usage", "the CPUs the build's container used over the last round", null, tags, id, sample -> value(sample.cpus())));
        meters.add(gauge("stagehand.build.memory", "the memory of the build's container", "bytes", tags, id, sample -> value(sample.memoryBytes())));
        meters.add(gauge("stagehand.build.database.size", "the size of the build's database", "bytes", tags, id, sample -> value(sample.databaseBytes())));
        meters.add(gauge("stagehand.build.filestore.size", "the size of the build's filestore", "bytes", tags, id, sample -> value(sample.filestoreBytes())));
        for (BuildTraffic.Outcome outcome : BuildTraffic.Outcome.values()) {
            meters.add(FunctionCounter.builder("stagehand.build.requests", traffic, counted -> counted.total(id, outcome))
                    .description("requests relayed to the build by the platform's proxy")
                    .tags(tags)
                    .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                    .register(registry));
        }
        return List.copyOf(meters);
    }

    private Meter gauge(String name, String description, String unit, Tags tags, long buildId, ToDoubleFunction<BuildSample> value)
    {
        return Gauge.builder(name, sampled, all -> {
                    Sampled latest = all.get(buildId);
                    return latest == null ? Double.NaN : value.applyAsDouble(latest.sample());
                })
                .description(description)
                .baseUnit(unit)
                .tags(tags)
                .register(registry);
    }

    private static double value(OptionalDouble value)
    {
        return value.isPresent() ? value.getAsDouble() : Double.NaN;
    }

    private static double value(OptionalLong value)
    {
        return value.isPresent() ? value.getAsLong() : Double.NaN;
    }

    private record Sampled(Instant at, Optional<ContainerStats> stats, BuildSample sample, List<Meter> meters) {}

    @Override
    public void close()
    {
        statsReaders.shutdownNow();
    }
}
