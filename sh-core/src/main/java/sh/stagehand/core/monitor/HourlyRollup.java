package sh.stagehand.core.monitor;

import sh.stagehand.core.store.BuildSample;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * Rolls samples up into one sample per build (or per branch: production's builds, one after the
 * other in an hour of an update) and hour: counts added up; the time they cover added up, at most
 * the hour; the CPUs averaged over that time; the most memory and requests at once; the sizes as
 * the hour's last sample had them; the median response time averaged over the requests, the 95th
 * percentile the hour's worst. Hours rolled up again merge the same way.
 */
final class HourlyRollup
{
    private HourlyRollup() {}

    static Instant hourOf(Instant at)
    {
        return at.truncatedTo(ChronoUnit.HOURS);
    }

    /**
     * @return the hours, oldest first
     */
    static List<BuildSample> rollUp(List<BuildSample> samples)
    {
        return rollUp(samples, false);
    }

    /**
     * @param byBranch one sample per branch and hour, whatever build each came from (the newest's id)
     * @return the hours, oldest first
     */
    static List<BuildSample> rollUp(List<BuildSample> samples, boolean byBranch)
    {
        record Key(String branch, long buildId, Instant hour) {}
        Map<Key, List<BuildSample>> hours = samples.stream()
                .sorted(Comparator.comparing(BuildSample::at))
                .collect(Collectors.groupingBy(sample -> new Key(sample.branch(), byBranch ? 0 : sample.buildId(), hourOf(sample.at())), LinkedHashMap::new, Collectors.toList()));
        List<BuildSample> rolled = new ArrayList<>();
        hours.forEach((key, ofTheHour) -> rolled.add(hour(key.hour(), ofTheHour)));
        rolled.sort(Comparator.comparing(BuildSample::at));
        return rolled;
    }

    private static BuildSample hour(Instant hour, List<BuildSample> samples)
    {
        BuildSample last = samples.get(samples.size() - 1);
        long requests = samples.stream().mapToLong(BuildSample::requests).sum();
        Duration covered = samples.stream().map(BuildSample::period).reduce(Duration.ZERO, Duration::plus);
        return new BuildSample(last.projectId(), last.branch(), last.buildId(), hour, covered.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : covered, true,
                weighted(samples, BuildSample::cpus, sample -> sample.period().toMillis()),
                max(samples, BuildSample::memoryBytes),
                latest(samples, BuildSample::databaseBytes),
                latest(samples, BuildSample::filestoreBytes),
                sum(samples, BuildSample::successes),
                sum(samples, BuildSample::errors),
                sum(samples, BuildSample::limited),
                requests == 0 ? OptionalDouble.empty() : weighted(samples, BuildSample::p50Millis, BuildSample::requests),
                samples.stream().map(BuildSample::p95Millis).filter(OptionalDouble::isPresent).mapToDouble(OptionalDouble::getAsDouble).max(),
                samples.stream().mapToInt(BuildSample::concurrent).max().orElse(0),
                sum(samples, BuildSample::mailsSent),
                sum(samples, BuildSample::mailsCaught));
    }

    private static long sum(List<BuildSample> samples, ToLongFunction<BuildSample> field)
    {
        return samples.stream().mapToLong(field).sum();
    }

    private static OptionalLong max(List<BuildSample> samples, Function<BuildSample, OptionalLong> field)
    {
        return samples.stream().map(field).filter(OptionalLong::isPresent).mapToLong(OptionalLong::getAsLong).max();
    }

    private static OptionalLong latest(List<BuildSample> samples, Function<BuildSample, OptionalLong> field)
    {
        for (int i = samples.size() - 1; i >= 0; i--) {
            OptionalLong value = field.apply(samples.get(i));
            if (value.isPresent()) {
                return value;
            }
        }
        return OptionalLong.empty();
    }

    private static OptionalDouble weighted(List<BuildSample> samples, Function<BuildSample, OptionalDouble> field, ToLongFunction<BuildSample> weight)
    {
        double total = 0;
        double weights = 0;
        for (BuildSample sample : samples) {
            OptionalDouble value = field.apply(sample);
            long w = weight.applyAsLong(sample);
            if (value.isPresent() && w > 0) {
                total += value.getAsDouble() * w;
                weights += w;
            }
        }
        return weights == 0 ? OptionalDouble.empty() : OptionalDouble.of(total / weights);
    }
}
