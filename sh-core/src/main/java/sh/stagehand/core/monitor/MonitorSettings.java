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
 * up into hours kept {@code monitor.hourly-retention}; a filestore walked at most every
 * {@code monitor.filestore-interval}. Each production probed every {@code monitor.probe-interval},
 * and one down longer than {@code monitor.down-alert-after} an alert.
 *
 * @param sampleInterval zero: never
 */
public record MonitorSettings(Duration sampleInterval, Duration rawRetention, Duration hourlyRetention, Duration filestoreInterval, Duration probeInterval, Duration probeTimeout,
        Duration downAlertAfter)
{
    public static final ConfigKey<Duration> SAMPLE_INTERVAL = ConfigKey.of("monitor.sample-interval", ConfigType.durationOrZero(), "60s",
            "how often each running build's resources and traffic are sampled (0: never)");
    public static final ConfigKey<Duration> RAW_RETENTION = ConfigKey.of("monitor.raw-retention", ConfigType.duration(), "48h",
            "how long each sample is kept as it was taken, before it is rolled up into its hour");
    public static final ConfigKey<Duration> HOURLY_RETENTION = ConfigKey.of("monitor.hourly-retention", ConfigType.duration(), "90d",
            "how long the hours rolled up are kept");
    public static final ConfigKey<Duration> FILESTORE_INTERVAL = ConfigKey.of("monitor.filestore-interval", ConfigType.duration(), "15m",
            "how often a build's filestore is walked for its size (a production's may hold millions of files)");
    public static final ConfigKey<Duration> PROBE_INTERVAL = ConfigKey.of("monitor.probe-interval", ConfigType.durationOrZero(), "30s",
            "how often each production is probed (GET /web/health) for its availability (0: never)");
    public static final ConfigKey<Duration> PROBE_TIMEOUT = ConfigKey.of("monitor.probe-timeout", ConfigType.duration(), "5s",
            "how long a probe waits for production's answer before it counts it down");
    public static final ConfigKey<Duration> DOWN_ALERT_AFTER = ConfigKey.of("monitor.down-alert-after", ConfigType.durationOrZero(), "5m",
            "how long production may not answer before it is an event of its history and a mail to the project's admins");
    public static final ConfigKeys KEYS = ConfigKeys.of("monitoring", SAMPLE_INTERVAL, RAW_RETENTION, HOURLY_RETENTION, FILESTORE_INTERVAL, PROBE_INTERVAL, PROBE_TIMEOUT,
            DOWN_ALERT_AFTER);

    public MonitorSettings
    {
        requireNonNull(sampleInterval, "sampleInterval is null");
        requireNonNull(rawRetention, "rawRetention is null");
        requireNonNull(hourlyRetention, "hourlyRetention is null");
        requireNonNull(filestoreInterval, "filestoreInterval is null");
        requireNonNull(probeInterval, "probeInterval is null");
        requireNonNull(probeTimeout, "probeTimeout is null");
        requireNonNull(downAlertAfter, "downAlertAfter is null");
    }

    /**
     * @return whether builds are sampled at all
     */
    public boolean enabled()
    {
        return !sampleInterval.isZero();
    }

    public static MonitorSettings from(ConfigValues values)
    {
        return new MonitorSettings(values.get(SAMPLE_INTERVAL), values.get(RAW_RETENTION), values.get(HOURLY_RETENTION), values.get(FILESTORE_INTERVAL), values.get(PROBE_INTERVAL),
                values.get(PROBE_TIMEOUT), values.get(DOWN_ALERT_AFTER));
    }
}
