package sh.stagehand.core.store;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * An hour of production's probes, by what they found: it answered, it did not, or it was being
 * updated (the maintenance page: not down).
 */
public record UptimeHour(String projectId, Instant hour, int up, int down, int maintenance)
{
    public UptimeHour
    {
        requireNonNull(projectId, "projectId is null");
        requireNonNull(hour, "hour is null");
        if (up < 0 || down < 0 || maintenance < 0) {
            throw new IllegalArgumentException("Negative probe counts");
        }
    }

    /**
     * What a probe found.
     */
    public enum Probe
    {
        UP, DOWN, MAINTENANCE
    }
}
