package sh.stagehand.core.backup;

import sh.stagehand.core.config.StagehandConfig;
import sh.stagehand.spi.config.ConfigKey;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.config.ConfigType;
import sh.stagehand.spi.config.ConfigValues;

import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * How production is backed up, keys under {@code backup.}, declared in {@link #KEYS}. The stores are
 * {@code backup.type}, or {@code backup.replicas} (see {@code CoreModule}).
 */
public record BackupSettings(Optional<LocalTime> dailyTime, RetentionPolicy retention)
{
    public static final ConfigKey<Optional<LocalTime>> DAILY_TIME = ConfigKey.of("backup.daily-time", ConfigType.of("a time of day HH:MM (UTC), nor off",
            value -> value.strip().equals("off") ? Optional.<LocalTime>empty() : Optional.of(time(value.strip()))), "03:00",
            "when the daily backup of every production runs, HH:MM UTC (off: never)");
    public static final ConfigKey<Integer> KEEP_DAILY = ConfigKey.of("backup.keep-daily", ConfigType.integer(1, Integer.MAX_VALUE), "7", "daily backups kept, as Odoo.sh");
    public static final ConfigKey<Integer> KEEP_WEEKLY = ConfigKey.of("backup.keep-weekly", ConfigType.integer(0, Integer.MAX_VALUE), "4", "weekly backups kept, as Odoo.sh");
    public static final ConfigKey<Integer> KEEP_MONTHLY = ConfigKey.of("backup.keep-monthly", ConfigType.integer(0, Integer.MAX_VALUE), "3", "monthly backups kept, as Odoo.sh");
    public static final ConfigKey<Duration> MANUAL_RETENTION = ConfigKey.of("backup.manual-retention", ConfigType.durationOrZero(), "7d",
            "how long manual and update backups are kept, as Odoo.sh").formerly("backup.manual-days");
    public static final ConfigKey<Integer> MANUAL_PER_DAY = ConfigKey.of("backup.manual-per-day", ConfigType.integer(1, Integer.MAX_VALUE), "5",
            "how many manual backups a day may take, as Odoo.sh");

    public static final ConfigKeys KEYS = ConfigKeys.of("backups", DAILY_TIME, KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY, MANUAL_RETENTION, MANUAL_PER_DAY);

    public BackupSettings
    {
        requireNonNull(dailyTime, "dailyTime is null");
        requireNonNull(retention, "retention is null");
    }

    public static BackupSettings fromConfig(StagehandConfig config)
    {
        ConfigValues values = config.values(KEYS);
        return new BackupSettings(values.get(DAILY_TIME), new RetentionPolicy(values.get(KEEP_DAILY), values.get(KEEP_WEEKLY), values.get(KEEP_MONTHLY),
                values.get(MANUAL_RETENTION), values.get(MANUAL_PER_DAY)));
    }

    private static LocalTime time(String value)
    {
        try {
            return LocalTime.parse(value);
        }
        catch (DateTimeParseException e) {
            throw new IllegalArgumentException();
        }
    }
}
