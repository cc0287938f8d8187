package sh.stagehand.core.backup;

import sh.stagehand.core.config.StagehandConfig;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * How production is backed up, keys under {@code backup.}:
 * <ul>
 * <li>{@code backup.daily-time}: when the daily backup of every production runs, {@code HH:MM} UTC
 *     (default 03:00; {@code off}: never)</li>
 * <li>{@code backup.keep-daily}, {@code backup.keep-weekly}, {@code backup.keep-monthly}: how many
 *     of each are kept (default 7, 4, 3, as Odoo.sh)</li>
 * <li>{@code backup.manual-days}, {@code backup.manual-per-day}: how long manual and update backups
 *     are kept, and how many manual ones a day may take (default 7, 5, as Odoo.sh)</li>
 * </ul>
 * The stores are {@code backup.type}, or {@code backup.replicas} (see {@code CoreModule}).
 */
public record BackupSettings(Optional<LocalTime> dailyTime, RetentionPolicy retention)
{
    public BackupSettings
    {
        requireNonNull(dailyTime, "dailyTime is null");
        requireNonNull(retention, "retention is null");
    }

    public static BackupSettings fromConfig(StagehandConfig config)
    {
        String time = config.get("backup.daily-time", "03:00").strip();
        Optional<LocalTime> dailyTime;
        if (time.equals("off")) {
            dailyTime = Optional.empty();
        }
        else {
            try {
                dailyTime = Optional.of(LocalTime.parse(time));
            }
            catch (DateTimeParseException e) {
                throw invalid("backup.daily-time=" + time + " is not a time of day HH:MM (UTC), nor off");
            }
        }
        return new BackupSettings(dailyTime, new RetentionPolicy(
                number(config, "backup.keep-daily", 7, 1),
                number(config, "backup.keep-weekly", 4, 0),
                number(config, "backup.keep-monthly", 3, 0),
                Duration.ofDays(number(config, "backup.manual-days", 7, 0)),
                number(config, "backup.manual-per-day", 5, 1)));
    }

    private static int number(StagehandConfig config, String key, int defaultValue, int minimum)
    {
        String value = config.get(key, Integer.toString(defaultValue)).strip();
        try {
            int number = Integer.parseInt(value);
            if (number >= minimum) {
                return number;
            }
        }
        catch (NumberFormatException ignored) {
            // reported below
        }
        throw invalid(key + "=" + value + " is not a whole number of " + minimum + " or more");
    }

    private static StagehandException invalid(String message)
    {
        return new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, message);
    }
}
