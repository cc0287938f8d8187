package sh.stagehand.core.store;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link MetricStore} does: samples kept as given (an unknown figure stays unknown),
 * found by branch, build, kind and time, and compacted in one step.
 */
public abstract class BaseMetricStoreContractTest
{
    private static final Instant NOON = Instant.parse("2026-12-07T12:00:00Z");

    protected abstract MetricStore store();

    // A project of each test's own, so that a store shared by the tests keeps them apart.
    private final String project = "p" + UUID.randomUUID().toString().substring(0, 8);

    @Test
    public void testKeepsSamplesAsGivenAndFindsThemByBranchBuildKindAndTime()
    {
        BuildSample full = new BuildSample(project, "main", 1, NOON.minusSeconds(120), Duration.ofMillis(60_500), false, OptionalDouble.of(0.25), OptionalLong.of(1L << 30),
                OptionalLong.of(5L << 20), OptionalLong.of(0), 400, 3, 2, OptionalDouble.of(12.5), OptionalDouble.of(80.25), 8, 1, 2);
        BuildSample unknown = new BuildSample(project, "main", 2, NOON.minusSeconds(60), Duration.ofSeconds(60), false, OptionalDouble.empty(), OptionalLong.empty(),
                OptionalLong.empty(), OptionalLong.empty(), 0, 0, 0, OptionalDouble.empty(), OptionalDouble.empty(), 0, 0, 0);
        BuildSample otherBranch = new BuildSample(project, "feature", 3, NOON.minusSeconds(60), Duration.ofSeconds(60), false, OptionalDouble.empty(), OptionalLong.empty(),
                OptionalLong.empty(), OptionalLong.empty(), 1, 0, 0, OptionalDouble.empty(), OptionalDouble.empty(), 0, 0, 0);
        BuildSample hour = new BuildSample(project, "main", 1, NOON.minus(Duration.ofHours(3)), Duration.ofHours(1), true, OptionalDouble.of(0.5), OptionalLong.of(7),
                OptionalLong.of(8), OptionalLong.of(9), 10, 0, 0, OptionalDouble.empty(), OptionalDouble.empty(), 1, 0, 0);
        store().append(List.of(unknown, full, otherBranch, hour));
        store().append(List.of());

        assertThat(store().samples(project, "main", OptionalLong.empty(), NOON.minusSeconds(3600), NOON, false)).containsExactly(full, unknown);
        assertThat(store().samples(project, "main", OptionalLong.of(2), NOON.minusSeconds(3600), NOON, false)).containsExactly(unknown);
        // [from, to): the sample at `to` is the next range's.
        assertThat(store().samples(project, "main", OptionalLong.empty(), NOON.minusSeconds(120), NOON.minusSeconds(60), false)).containsExactly(full);
        assertThat(store().samples(project, "main", OptionalLong.empty(), NOON.minus(Duration.ofDays(1)), NOON, true)).containsExactly(hour);
        assertThat(store().samples(project, "feature", OptionalLong.empty(), NOON.minusSeconds(3600), NOON, false)).containsExactly(otherBranch);
    }

    @Test
    public void testCompactsInOneStep()
    {
        BuildSample old = sample(NOON.minus(Duration.ofHours(50)), false, 5);
        BuildSample recent = sample(NOON.minusSeconds(30), false, 6);
        BuildSample ancient = sample(NOON.minus(Duration.ofDays(100)), true, 7);
        store().append(List.of(old, recent, ancient));
        assertThat(store().rawSamplesBefore(NOON.minus(Duration.ofHours(48)))).filteredOn(sample -> sample.projectId().equals(project)).containsExactly(old);

        BuildSample rolled = sample(NOON.minus(Duration.ofHours(50)), true, 5);
        store().compact(List.of(rolled), NOON.minus(Duration.ofHours(48)), NOON.minus(Duration.ofDays(90)));

        assertThat(store().samples(project, "main", OptionalLong.empty(), Instant.EPOCH, NOON, false)).containsExactly(recent);
        assertThat(store().samples(project, "main", OptionalLong.empty(), Instant.EPOCH, NOON, true)).containsExactly(rolled);
    }

    @Test
    public void testCountsProductionsProbesByHour()
    {
        Instant hour = NOON.minus(Duration.ofHours(2));
        store().recordProbe(project, hour.plusSeconds(10), UptimeHour.Probe.UP);
        store().recordProbe(project, hour.plusSeconds(40), UptimeHour.Probe.UP);
        store().recordProbe(project, hour.plusSeconds(70), UptimeHour.Probe.DOWN);
        store().recordProbe(project, hour.plusSeconds(3600), UptimeHour.Probe.MAINTENANCE);
        store().recordProbe("other" + project, hour, UptimeHour.Probe.DOWN);

        assertThat(store().uptime(project, hour, NOON)).containsExactly(new UptimeHour(project, hour, 2, 1, 0), new UptimeHour(project, hour.plusSeconds(3600), 0, 0, 1));
        assertThat(store().uptime(project, hour.plusSeconds(3600), NOON)).hasSize(1);

        store().forgetUptime(hour.plusSeconds(3600));
        assertThat(store().uptime(project, Instant.EPOCH, NOON)).containsExactly(new UptimeHour(project, hour.plusSeconds(3600), 0, 0, 1));
    }

    private BuildSample sample(Instant at, boolean hourly, long successes)
    {
        return new BuildSample(project, "main", 1, at, hourly ? Duration.ofHours(1) : Duration.ofSeconds(60), hourly, OptionalDouble.empty(), OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.empty(), successes, 0, 0, OptionalDouble.empty(), OptionalDouble.empty(), 0, 0, 0);
    }
}
