package sh.stagehand.spi.runtime;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * What a running container uses, as its engine counts it at one moment.
 *
 * @param at when the engine read it
 * @param cpuNanos the CPU time its processes have used since it started, in nanoseconds, all CPUs
 *         together: the difference of two readings over the time between them is the CPUs it used
 * @param memoryBytes the memory its processes use, without the page cache the kernel can take back
 *         (as {@code docker stats} counts it)
 * @param memoryLimitBytes the memory it may use: its limit, or the host's memory without one
 */
public record ContainerStats(Instant at, long cpuNanos, long memoryBytes, long memoryLimitBytes)
{
    public ContainerStats
    {
        requireNonNull(at, "at is null");
        if (cpuNanos < 0 || memoryBytes < 0 || memoryLimitBytes < 0) {
            throw new IllegalArgumentException("Negative container stats: cpu " + cpuNanos + " ns, memory " + memoryBytes + " of " + memoryLimitBytes + " bytes");
        }
    }
}
