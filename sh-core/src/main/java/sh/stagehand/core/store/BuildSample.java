package sh.stagehand.core.store;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * What a running build used and served over one period: a sample the platform took at its end
 * ({@code period} the time since the build's previous sample), or an hour's samples rolled up into
 * one ({@code hourly}, {@code at} the hour's start, {@code period} the time its samples covered, at
 * most an hour).
 *
 * @param cpus the CPUs its container used on average over the period (1.0: one CPU busy), when
 *        the runtime tells and an earlier reading gives a difference
 * @param memoryBytes its container's memory (the most, for an hour), when the runtime tells
 * @param databaseBytes its database's size, when the database provider tells
 * @param filestoreBytes its filestore's size
 * @param successes requests the platform's proxy relayed that were answered without a server error
 * @param errors requests answered with a server error (5xx), or not answered
 * @param limited requests refused as too many (429)
 * @param p50Millis the median response time, as the proxy measured it, when there were requests
 *        (for an hour: the requests' weighted mean of the samples' medians)
 * @param p95Millis the 95th percentile of response times (for an hour: its samples' highest)
 * @param concurrent the most requests in progress at once
 * @param mailsSent mail its server sent out through the relay (production's)
 * @param mailsCaught mail the platform's catcher caught from it
 */
public record BuildSample(
        String projectId,
        String branch,
        long buildId,
        Instant at,
        Duration period,
        boolean hourly,
        OptionalDouble cpus,
        OptionalLong memoryBytes,
        OptionalLong databaseBytes,
        OptionalLong filestoreBytes,
        long successes,
        long errors,
        long limited,
        OptionalDouble p50Millis,
        OptionalDouble p95Millis,
        int concurrent,
        long mailsSent,
        long mailsCaught)
{
    public BuildSample
    {
        requireNonNull(projectId, "projectId is null");
        requireNonNull(branch, "branch is null");
        requireNonNull(at, "at is null");
        requireNonNull(period, "period is null");
        requireNonNull(cpus, "cpus is null");
        requireNonNull(memoryBytes, "memoryBytes is null");
        requireNonNull(databaseBytes, "databaseBytes is null");
        requireNonNull(filestoreBytes, "filestoreBytes is null");
        requireNonNull(p50Millis, "p50Millis is null");
        requireNonNull(p95Millis, "p95Millis is null");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("A sample covers some time, not " + period);
        }
        if (hourly && period.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("An hour's samples cover at most an hour, not " + period);
        }
    }

    /**
     * @return every request the proxy relayed in the period
     */
    public long requests()
    {
        return successes + errors + limited;
    }
}
