package sh.stagehand.core.backup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.spi.backup.BackupStore;
import sh.stagehand.spi.backup.StoredObject;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 120 days of daily backups on three stores, pruned each day as the housekeeping does.
 */
class BackupRetentionTest
{
    private static final Instant START = Instant.parse("2026-07-01T03:00:00Z");

    @Test
    void testKeepsSevenDailyFourWeeklyThreeMonthlyAndNoObjectNobodyNeeds(@TempDir Path temp)
            throws Exception
    {
        Map<String, BackupStore> replicas = new LinkedHashMap<>();
        for (String name : List.of("eu", "us", "asia")) {
            replicas.put(name, new FilesystemBackupStore(temp.resolve(name), Clock.systemUTC()));
        }
        try (ReplicatedBackupStore store = new ReplicatedBackupStore(replicas)) {
            BackupCatalog catalog = new BackupCatalog(store, temp.resolve("scratch"));
            Instant now = START;
            for (int day = 0; day < 120; day++) {
                now = START.plus(Duration.ofDays(day));
                catalog.write(backup(store, temp, "daily-" + day, BackupKind.DAILY, now));
                if (day % 10 == 0 || day == 115) {
                    catalog.write(backup(store, temp, "manual-" + day, BackupKind.MANUAL, now.plusSeconds(60)));
                }
                catalog.prune("acme", RetentionPolicy.ODOO_SH, now);
            }

            List<Backup> kept = catalog.list("acme");
            Map<String, RetentionPolicy.Reason> reasons = RetentionPolicy.ODOO_SH.keep(kept, now);
            Map<RetentionPolicy.Reason, Long> counts = reasons.values().stream().collect(Collectors.groupingBy(reason -> reason, Collectors.counting()));
            assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of(
                    RetentionPolicy.Reason.DAILY, 7L,
                    RetentionPolicy.Reason.WEEKLY, 4L,
                    RetentionPolicy.Reason.MONTHLY, 3L,
                    RetentionPolicy.Reason.RECENT, 1L));
            assertThat(kept).hasSize(15);
            // The newest seven days, then one a week, then one a month, never twice the same.
            List<LocalDate> days = kept.stream().filter(backup -> backup.kind() == BackupKind.DAILY).map(backup -> LocalDate.ofInstant(backup.createdAt(), ZoneOffset.UTC)).toList();
            assertThat(days.subList(0, 7)).containsExactlyElementsOf(List.of(0, 1, 2, 3, 4, 5, 6).stream().map(back -> LocalDate.ofInstant(START, ZoneOffset.UTC).plusDays(119 - back)).toList());
            assertThat(new TreeSet<>(days)).hasSize(14);

            // Every replica holds exactly what the kept backups are made of.
            Set<String> needed = new TreeSet<>();
            for (Backup backup : kept) {
                backup.dump().chunks().forEach(chunk -> needed.add(BackupCatalog.chunkKey("acme", chunk)));
                backup.logs().values().forEach(log -> log.chunks().forEach(chunk -> needed.add(BackupCatalog.chunkKey("acme", chunk))));
                backup.files().forEach(file -> needed.add(BackupCatalog.fileKey("acme", file.sha256())));
                backup.sessions().forEach(file -> needed.add(BackupCatalog.fileKey("acme", file.sha256())));
                needed.add(BackupCatalog.recordKey("acme", backup.id()));
            }
            for (BackupStore replica : replicas.values()) {
                Set<String> held = replica.list("projects/acme/").stream().map(StoredObject::key).collect(Collectors.toCollection(TreeSet::new));
                assertThat(held).isEqualTo(needed);
            }
        }
    }

    // A backup made of a chunk of its own, a chunk every backup shares, a file every backup shares,
    // a session of its own and a log that grew: the chunk of its start shared, that of its end its own.
    private static Backup backup(BackupStore store, Path temp, String name, BackupKind kind, Instant at)
            throws Exception
    {
        String own = put(store, temp, "chunks", "the part of the dump of " + name);
        String shared = put(store, temp, "chunks", "the part of the dump that never changes");
        String file = put(store, temp, "files", "the company logo");
        String session = put(store, temp, "files", "the session of a user logged in on " + name);
        String logStart = put(store, temp, "chunks", "odoo.log: the server started");
        String logEnd = put(store, temp, "chunks", "odoo.log: the requests of " + name);
        return new Backup(name, "acme", kind, at, Optional.empty(), "acme-production",
                new Backup.Chunked(100, "0".repeat(64), List.of(shared, own)), List.of(new Backup.FileEntry("ab/logo", 16, file)), Map.of("odoo_dump", "1"), Map.of(),
                List.of(new Backup.FileEntry("5e/5e55", 40, session)), Map.of("odoo.log", new Backup.Chunked(60, "0".repeat(64), List.of(logStart, logEnd))), List.of());
    }

    private static String put(BackupStore store, Path temp, String kind, String content)
            throws Exception
    {
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8)));
        Path source = Files.writeString(temp.resolve("object"), content);
        store.put("projects/acme/" + kind + "/" + sha256, source, Map.of());
        return sha256;
    }
}
