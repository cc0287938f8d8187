package sh.stagehand.core.monitor;

import org.junit.jupiter.api.Test;
import sh.stagehand.core.MutableClock;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.BuildSample;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.core.store.InMemoryMetricStore;
import sh.stagehand.core.store.InMemoryPlatformStore;
import sh.stagehand.spi.StagehandException;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class BuildMonitorTest
{
    private static final Instant NOON = Instant.parse("2026-12-07T12:00:00Z");

    private final MutableClock clock = new MutableClock(NOON);
    private final InMemoryMetricStore store = new InMemoryMetricStore();
    private final InMemoryPlatformStore builds = new InMemoryPlatformStore();
    private final BuildMonitor monitor = new BuildMonitor(store, builds, new MonitorSettings(Duration.ofMinutes(1), Duration.ofHours(48), Duration.ofDays(90), Duration.ofMinutes(15), Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofMinutes(5)), clock);

    @Test
    void testRollsAnHourUp()
    {
        Instant hour = NOON.minus(Duration.ofHours(3));
        List<BuildSample> raw = List.of(
                sample(1, hour.plusSeconds(60), Duration.ofSeconds(60), 0.5, 100, 1000, 10, 2, 20.0, 80.0, 3),
                sample(1, hour.plusSeconds(240), Duration.ofSeconds(180), 0.1, 300, 2000, 30, 0, 40.0, 60.0, 5),
                sample(1, hour.plusSeconds(3600 + 60), Duration.ofSeconds(60), 1.0, 50, 3000, 1, 0, 10.0, 10.0, 1));

        List<BuildSample> hours = HourlyRollup.rollUp(raw);

        assertThat(hours).hasSize(2);
        BuildSample first = hours.get(0);
        assertThat(first.at()).isEqualTo(hour);
        // The time its samples covered: a rate is its counts over that.
        assertThat(first.period()).isEqualTo(Duration.ofMinutes(4));
        assertThat(first.hourly()).isTrue();
        // CPUs over the time each sample covers: (0.5×60 + 0.1×180) / 240.
        assertThat(first.cpus().getAsDouble()).isCloseTo(0.2, within(1e-9));
        assertThat(first.memoryBytes()).hasValue(300);
        assertThat(first.databaseBytes()).hasValue(2000);
        assertThat(first.successes()).isEqualTo(40);
        assertThat(first.errors()).isEqualTo(2);
        // The medians over the requests: (20×12 + 40×30) / 42; the worst 95th percentile.
        assertThat(first.p50Millis().getAsDouble()).isCloseTo((20.0 * 12 + 40.0 * 30) / 42, within(1e-9));
        assertThat(first.p95Millis()).hasValue(80.0);
        assertThat(first.concurrent()).isEqualTo(5);
        assertThat(hours.get(1).at()).isEqualTo(hour.plus(Duration.ofHours(1)));
    }

    @Test
    void testCompactsOldRawSamplesIntoHoursAndForgetsOldHours()
    {
        Instant old = NOON.minus(Duration.ofHours(50));
        store.append(List.of(
                sample(1, old.plusSeconds(60), Duration.ofSeconds(60), 0.5, 100, 1000, 10, 0, 20.0, 30.0, 1),
                sample(1, old.plusSeconds(120), Duration.ofSeconds(60), 0.5, 100, 1000, 10, 0, 20.0, 30.0, 1),
                sample(1, NOON.minusSeconds(60), Duration.ofSeconds(60), 0.5, 100, 1000, 7, 0, 20.0, 30.0, 1),
                hourSample(1, NOON.minus(Duration.ofDays(91)))));

        assertThat(monitor.compact()).isEqualTo(1);

        List<BuildSample> hours = store.samples("acme", "main", OptionalLong.empty(), Instant.EPOCH, NOON, true);
        assertThat(hours).singleElement().satisfies(hour -> assertThat(hour.successes()).isEqualTo(20));
        assertThat(store.samples("acme", "main", OptionalLong.empty(), Instant.EPOCH, NOON, false)).singleElement()
                .satisfies(raw -> assertThat(raw.successes()).isEqualTo(7));
        // Again: nothing more to roll up, nothing counted twice.
        assertThat(monitor.compact()).isZero();
        assertThat(store.samples("acme", "main", OptionalLong.empty(), Instant.EPOCH, NOON, true)).hasSize(1);
    }

    @Test
    void testAProductionBuildsSeriesIsItsBranchsAndADevelopmentBuildsItsOwn()
    {
        Build previous = build("main", Stage.PRODUCTION);
        Build serving = build("main", Stage.PRODUCTION);
        Build feature = build("feature", Stage.DEVELOPMENT);
        Build older = build("feature", Stage.DEVELOPMENT);
        store.append(List.of(
                sample(previous.id(), "main", NOON.minusSeconds(600)),
                sample(serving.id(), "main", NOON.minusSeconds(60)),
                sample(feature.id(), "feature", NOON.minusSeconds(60)),
                sample(older.id(), "feature", NOON.minusSeconds(120))));
        builds.appendEvent(serving, EventKind.PRODUCTION_UPDATED, "Production updated", NOON.minusSeconds(300));
        builds.appendEvent(serving, EventKind.BUILD_QUEUED, "Build queued", NOON.minusSeconds(310));

        BuildMonitor.Series production = monitor.series(serving, Duration.ofHours(1));
        assertThat(production.samples()).extracting(BuildSample::buildId).containsExactly(previous.id(), serving.id());
        assertThat(production.hourly()).isFalse();
        assertThat(production.annotations()).singleElement().satisfies(event -> assertThat(event.kind()).isEqualTo(EventKind.PRODUCTION_UPDATED));

        assertThat(monitor.series(feature, Duration.ofHours(1)).samples()).extracting(BuildSample::buildId).containsExactly(feature.id());
        assertThat(monitor.series(serving, Duration.ofMinutes(5)).samples()).extracting(BuildSample::buildId).containsExactly(serving.id());
    }

    @Test
    void testALongRangeIsAnsweredInHoursRolledUpOrKept()
    {
        Build serving = build("main", Stage.PRODUCTION);
        store.append(List.of(hourSample(serving.id(), NOON.minus(Duration.ofDays(5))), sample(serving.id(), "main", NOON.minusSeconds(120)),
                sample(serving.id(), "main", NOON.minusSeconds(60))));

        BuildMonitor.Series week = monitor.series(serving, Duration.ofDays(7));

        assertThat(week.hourly()).isTrue();
        assertThat(week.samples()).hasSize(2).allSatisfy(sample -> assertThat(sample.hourly()).isTrue());
        assertThat(week.samples().get(1).successes()).isEqualTo(2);
        assertThatThrownBy(() -> monitor.series(serving, Duration.ofDays(91)))
                .isInstanceOf(StagehandException.class)
                .hasMessageContaining("90 days");
    }

    @Test
    void testAnUpdatesHourIsOnePointOfProductionsSeries()
    {
        Build previous = build("main", Stage.PRODUCTION);
        Build serving = build("main", Stage.PRODUCTION);
        Instant hour = HourlyRollup.hourOf(NOON.minus(Duration.ofDays(3)));
        // Kept as each build's hour by the compaction: the old build's first half, the new one's second.
        store.append(List.of(
                new BuildSample("acme", "main", previous.id(), hour, Duration.ofMinutes(30), true, OptionalDouble.of(0.2), OptionalLong.of(100), OptionalLong.of(1000),
                        OptionalLong.of(10), 30, 0, 0, OptionalDouble.of(5), OptionalDouble.of(9), 2, 0, 0),
                new BuildSample("acme", "main", serving.id(), hour, Duration.ofMinutes(30), true, OptionalDouble.of(0.4), OptionalLong.of(300), OptionalLong.of(2000),
                        OptionalLong.of(20), 90, 0, 0, OptionalDouble.of(7), OptionalDouble.of(30), 4, 0, 0)));

        List<BuildSample> week = monitor.series(serving, Duration.ofDays(7)).samples();

        assertThat(week).singleElement().satisfies(merged -> {
            assertThat(merged.period()).isEqualTo(Duration.ofHours(1));
            assertThat(merged.successes()).isEqualTo(120);
            assertThat(merged.cpus().getAsDouble()).isCloseTo(0.3, within(1e-9));
            assertThat(merged.memoryBytes()).hasValue(300);
            assertThat(merged.databaseBytes()).hasValue(2000);
            assertThat(merged.buildId()).isEqualTo(serving.id());
        });
    }

    private Build build(String branch, Stage stage)
    {
        return builds.createBuild("acme", branch, "c0ffee", stage, "stagehand.localhost", "secret", NOON.minus(Duration.ofDays(1)));
    }

    private static BuildSample sample(long buildId, String branch, Instant at)
    {
        return new BuildSample("acme", branch, buildId, at, Duration.ofSeconds(60), false, OptionalDouble.of(0.1), OptionalLong.of(100), OptionalLong.of(1000), OptionalLong.of(10),
                1, 0, 0, OptionalDouble.of(5), OptionalDouble.of(9), 1, 0, 0);
    }

    private static BuildSample sample(long buildId, Instant at, Duration period, double cpus, long memory, long database, long successes, long errors, double p50, double p95,
            int concurrent)
    {
        return new BuildSample("acme", "main", buildId, at, period, false, OptionalDouble.of(cpus), OptionalLong.of(memory), OptionalLong.of(database), OptionalLong.empty(),
                successes, errors, 0, OptionalDouble.of(p50), OptionalDouble.of(p95), concurrent, 0, 0);
    }

    private static BuildSample hourSample(long buildId, Instant at)
    {
        return new BuildSample("acme", "main", buildId, HourlyRollup.hourOf(at), Duration.ofHours(1), true, OptionalDouble.empty(), OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.empty(), 5, 0, 0, OptionalDouble.empty(), OptionalDouble.empty(), 0, 0, 0);
    }
}
