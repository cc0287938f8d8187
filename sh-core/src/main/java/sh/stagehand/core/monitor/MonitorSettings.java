package sh.stagehand.core.monitor;

import sh.stagehand.spi.config.ConfigKey;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.config.ConfigType;
import sh.stagehand.spi.config.ConfigValues;

import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * How builds are monitored, keys under {@code monitor.}: each running build sampled every
 * {@code monitor.sample-interval}, its raw samples kept {@code monitor.raw-retention}, then rolled
 * up into hours kept {@code monitor.hourly-retention}.
 *
 * @param sampleInterval zero: never
 */
public record MonitorSettings(Duration sampleInterval, Duration rawRetention, Duration hourlyRetention)
{
    public static final ConfigKey<Duration> SAMPLE_INTERVAL = ConfigKey.of("monitor.sample-interval", ConfigType.durationOrZero(), "60s",
            "how often each running build's resources and traffic are sampled (0: never)");
    public static final ConfigKey<Duration> RAW_RETENTION = ConfigKey.of("monitor.raw-retention", ConfigType.duration(), "48h",
            "how long each sample is kept as it was taken, before it is rolled up into its hour");
    public static final ConfigKey<Duration> HOURLY_RETENTION = ConfigKey.of("monitor.hourly-retention", ConfigType.duration(), "90d",
            "how long the hours rolled up are kept");
    public static final ConfigKeys KEYS = ConfigKeys.of("monitoring", SAMPLE_INTERVAL, RAW_RETENTION, HOURLY_RETENTION);

    public MonitorSettings
    {
        requireNonNull(sampleInterval, "sampleInterval is null");
        requireNonNull(rawRetention, "rawRetention is null");
        requireNonNull(hourlyRetention, "hourlyRetention is null");
    }

    public static MonitorSettings from(ConfigValues values)
    {
        return new MonitorSettings(values.get(SAMPLE_INTERVAL), values.get(RAW_RETENTION), values.get(HOURLY_RETENTION));
    }
}
