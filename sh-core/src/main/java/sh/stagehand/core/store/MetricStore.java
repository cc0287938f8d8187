package sh.stagehand.core.store;

import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

/**
 * The builds' samples over time: each round's raw samples, and hours rolled up once their raw
 * samples are old; and production's availability, each hour's probes counted. Implementations
 * are thread-safe.
 */
public interface MetricStore
{
    void append(List<BuildSample> samples);

    /**
     * @param buildId one build's samples, or every build's of the branch when empty
     * @param hourly the hours rolled up, or the raw samples
     * @return the samples taken in {@code [from, to)}, oldest first
     */
    List<BuildSample> samples(String projectId, String branch, OptionalLong buildId, Instant from, Instant to, boolean hourly);

    /**
     * @return every raw sample taken before {@code before}, oldest first
     */
    List<BuildSample> rawSamplesBefore(Instant before);

    /**
     * In one step: adds {@code hours} (rolled up from the raw samples before {@code rawBefore}), then
     * deletes those raw samples and the hours that begin before {@code hoursBefore}.
     */
    void compact(List<BuildSample> hours, Instant rawBefore, Instant hoursBefore);

    /**
     * Counts a probe of the project's production in its hour.
     */
    void recordProbe(String projectId, Instant at, UptimeHour.Probe probe);

    /**
     * @return the project's hours that begin in {@code [from, to)}, oldest first
     */
    List<UptimeHour> uptime(String projectId, Instant from, Instant to);

    /**
     * Deletes the probes' hours that begin before {@code before}.
     */
    void forgetUptime(Instant before);
}
