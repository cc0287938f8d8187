package sh.stagehand.core.store;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * A {@link MetricStore} in memory, for a platform without a metadata database and for tests.
 * Thread-safe.
 */
public final class InMemoryMetricStore
        implements MetricStore
{
    private final List<BuildSample> samples = new ArrayList<>();
    private final Map<String, TreeMap<Instant, int[]>> uptime = new HashMap<>();

    @Override
    public synchronized void append(List<BuildSample> added)
    {
        samples.addAll(added);
    }

    @Override
    public synchronized List<BuildSample> samples(String projectId, String branch, OptionalLong buildId, Instant from, Instant to, boolean hourly)
    {
        return samples.stream()
                .filter(sample -> sample.projectId().equals(projectId) && sample.branch().equals(branch) && sample.hourly() == hourly)
                .filter(sample -> buildId.isEmpty() || sample.buildId() == buildId.getAsLong())
                .filter(sample -> !sample.at().isBefore(from) && sample.at().isBefore(to))
                .sorted(Comparator.comparing(BuildSample::at))
                .toList();
    }

    @Override
    public synchronized List<BuildSample> rawSamplesBefore(Instant before)
    {
        return samples.stream()
                .filter(sample -> !sample.hourly() && sample.at().isBefore(before))
                .sorted(Comparator.comparing(BuildSample::at))
                .toList();
    }

    @Override
    public synchronized void compact(List<BuildSample> hours, Instant rawBefore, Instant hoursBefore)
    {
        samples.removeIf(sample -> sample.at().isBefore(sample.hourly() ? hoursBefore : rawBefore));
        samples.addAll(hours);
    }

    @Override
    public synchronized void recordProbe(String projectId, Instant at, UptimeHour.Probe probe)
    {
        uptime.computeIfAbsent(projectId, ignored -> new TreeMap<>()).computeIfAbsent(at.truncatedTo(ChronoUnit.HOURS), ignored -> new int[3])[probe.ordinal()]++;
    }

    @Override
    public synchronized List<UptimeHour> uptime(String projectId, Instant from, Instant to)
    {
        return uptime.getOrDefault(projectId, new TreeMap<>()).subMap(from, true, to, false).entrySet().stream()
                .map(hour -> new UptimeHour(projectId, hour.getKey(), hour.getValue()[0], hour.getValue()[1], hour.getValue()[2]))
                .toList();
    }

    @Override
    public synchronized void forgetUptime(Instant before)
    {
        uptime.values().forEach(hours -> hours.headMap(before).clear());
    }
}
