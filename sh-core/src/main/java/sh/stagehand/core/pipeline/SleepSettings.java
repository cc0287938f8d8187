package sh.stagehand.core.pipeline;

import sh.stagehand.spi.config.ConfigKey;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.config.ConfigType;
import sh.stagehand.spi.config.ConfigValues;

import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * When development and staging builds sleep, keys under {@code sleep.}: a build without a request
 * for {@code sleep.idle-after} is put to sleep (its container gone, its database and files kept),
 * looked for every {@code sleep.check-interval}; at most {@code sleep.max-running-per-project} of
 * a project's and {@code sleep.max-running} of the platform's run at once, the least recently used
 * put to sleep first. A request to a sleeping build wakes it, and waits {@code sleep.wake-wait} for
 * its answer before a waiting page (or a 503 with Retry-After) answers instead. Production never
 * sleeps, and is not counted.
 *
 * @param idleAfter zero: builds never sleep for being idle
 * @param maxRunningPerProject zero: no cap
 * @param maxRunning zero: no cap
 */
public record SleepSettings(Duration idleAfter, Duration checkInterval, int maxRunningPerProject, int maxRunning, Duration wakeWait)
{
    public static final ConfigKey<Duration> IDLE_AFTER = ConfigKey.of("sleep.idle-after", ConfigType.durationOrZero(), "30m",
            "how long a development or staging build may go without a request before it is put to sleep (0: never)");
    public static final ConfigKey<Duration> CHECK_INTERVAL = ConfigKey.of("sleep.check-interval", ConfigType.duration(), "30s",
            "how often idle builds are looked for, and the caps on running builds applied");
    public static final ConfigKey<Integer> MAX_RUNNING_PER_PROJECT = ConfigKey.of("sleep.max-running-per-project", ConfigType.integer(0, 100_000), "0",
            "the most development and staging builds of one project running at once, the least recently used put to sleep first (0: no cap)");
    public static final ConfigKey<Integer> MAX_RUNNING = ConfigKey.of("sleep.max-running", ConfigType.integer(0, 1_000_000), "0",
            "the most development and staging builds of the platform running at once, the least recently used put to sleep first (0: no cap)");
    public static final ConfigKey<Duration> WAKE_WAIT = ConfigKey.of("sleep.wake-wait", ConfigType.durationOrZero(), "20s",
            "how long the first requests to a sleeping build wait for it to wake before a waiting page (a browser) or a 503 with Retry-After answers");
    public static final ConfigKeys KEYS = ConfigKeys.of("sleeping builds", IDLE_AFTER, CHECK_INTERVAL, MAX_RUNNING_PER_PROJECT, MAX_RUNNING, WAKE_WAIT);

    public SleepSettings
    {
        requireNonNull(idleAfter, "idleAfter is null");
        requireNonNull(checkInterval, "checkInterval is null");
        requireNonNull(wakeWait, "wakeWait is null");
    }

    public static SleepSettings from(ConfigValues values)
    {
        return new SleepSettings(values.get(IDLE_AFTER), values.get(CHECK_INTERVAL), values.get(MAX_RUNNING_PER_PROJECT), values.get(MAX_RUNNING), values.get(WAKE_WAIT));
    }

    /**
     * @return whether anything ever puts a build to sleep
     */
    public boolean enabled()
    {
        return !idleAfter.isZero() || maxRunningPerProject > 0 || maxRunning > 0;
    }
}
