package sh.stagehand.core.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;

/**
 * A {@link MetricStore} in memory, for a platform without a metadata database and for tests.
 * Thread-safe.
 */
public final class InMemoryMetricStore
        implements MetricStore
{
    private final List<BuildSample> samples = new ArrayList<>();

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
}
