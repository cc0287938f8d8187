package sh.stagehand.core.backup;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * Which backups are kept, as on Odoo.sh: of the daily backups, the newest of each of the last
 * {@code daily} days that have one; before those, the newest of each of the last {@code weekly}
 * ISO weeks; before those, the newest of each of the last {@code monthly} months (days, weeks and
 * months in UTC). Manual and update backups are kept {@code manualDays} days. Pure logic.
 *
 * @param daily how many daily backups (7)
 * @param weekly how many weekly ones (4)
 * @param monthly how many monthly ones (3)
 * @param manualDays how long manual and update backups are kept (7 days)
 * @param manualPerDay how many manual backups a day may take (5)
 */
public record RetentionPolicy(int daily, int weekly, int monthly, Duration manualDays, int manualPerDay)
{
    public static final RetentionPolicy ODOO_SH = new RetentionPolicy(7, 4, 3, Duration.ofDays(7), 5);

    public RetentionPolicy
    {
        requireNonNull(manualDays, "manualDays is null");
        if (daily < 1 || weekly < 0 || monthly < 0 || manualPerDay < 1 || manualDays.isNegative()) {
            throw new IllegalArgumentException("Keep at least one daily backup and no negative count: " + daily + "/" + weekly + "/" + monthly + ", " + manualPerDay + " a day");
        }
    }

    /**
     * Why a kept backup is kept.
     */
    public enum Reason
    {
        DAILY,
        WEEKLY,
        MONTHLY,
        RECENT,
    }

    /**
     * @return the backups to keep, by id, with why
     */
    public Map<String, Reason> keep(List<Backup> backups, Instant now)
    {
        Map<String, Reason> kept = new LinkedHashMap<>();
        List<Backup> daily = backups.stream()
                .filter(backup -> backup.kind() == BackupKind.DAILY)
                .sorted(Comparator.comparing(Backup::createdAt).reversed())
                .toList();
        List<Backup> days = newestPerPeriod(daily, backup -> day(backup).toString(), this.daily);
        days.forEach(backup -> kept.put(backup.id(), Reason.DAILY));
        Instant beforeDays = days.isEmpty() ? Instant.MAX : days.get(days.size() - 1).createdAt();
        List<Backup> weeks = newestPerPeriod(olderThan(daily, beforeDays), backup -> day(backup).get(IsoFields.WEEK_BASED_YEAR) + "-W" + day(backup).get(IsoFields.WEEK_OF_WEEK_BASED_YEAR), weekly);
        weeks.forEach(backup -> kept.put(backup.id(), Reason.WEEKLY));
        Instant beforeWeeks = weeks.isEmpty() ? beforeDays : weeks.get(weeks.size() - 1).createdAt();
        List<Backup> months = newestPerPeriod(olderThan(daily, beforeWeeks), backup -> day(backup).getYear() + "-" + day(backup).getMonthValue(), monthly);
        months.forEach(backup -> kept.put(backup.id(), Reason.MONTHLY));
        for (Backup backup : backups) {
            if (backup.kind() != BackupKind.DAILY && !backup.createdAt().isBefore(now.minus(manualDays))) {
                kept.put(backup.id(), Reason.RECENT);
            }
        }
        return kept;
    }

    // The newest backup of each period, for the newest `count` periods; backups newest first.
    private static List<Backup> newestPerPeriod(List<Backup> newestFirst, Function<Backup, String> period, int count)
    {
        Map<String, Backup> newest = new LinkedHashMap<>();
        for (Backup backup : newestFirst) {
            if (newest.size() == count && !newest.containsKey(period.apply(backup))) {
                break;
            }
            newest.putIfAbsent(period.apply(backup), backup);
        }
        return new ArrayList<>(newest.values());
    }

    private static List<Backup> olderThan(List<Backup> newestFirst, Instant limit)
    {
        return newestFirst.stream().filter(backup -> backup.createdAt().isBefore(limit)).toList();
    }

    private static LocalDate day(Backup backup)
    {
        return LocalDate.ofInstant(backup.createdAt(), ZoneOffset.UTC);
    }
}
