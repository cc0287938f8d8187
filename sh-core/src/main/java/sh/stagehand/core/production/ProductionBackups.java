package sh.stagehand.core.production;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.backup.Backup;
import sh.stagehand.core.backup.BackupCatalog;
import sh.stagehand.core.backup.BackupKind;
import sh.stagehand.core.backup.BackupRecorder;
import sh.stagehand.core.backup.ContainerDumpLoader;
import sh.stagehand.core.backup.ReplicatedBackupStore;
import sh.stagehand.core.backup.RetentionPolicy;
import sh.stagehand.core.build.BuildNames;
import sh.stagehand.core.pipeline.ProductionPipeline;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.Event;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.core.workspace.BuildWorkspaces;
import sh.stagehand.core.workspace.Filestores;
import sh.stagehand.core.workspace.ProductionLocks;
import sh.stagehand.spi.RandomSecrets;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.backup.BackupStore;
import sh.stagehand.spi.database.DatabaseProvider;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.Lock;

import static java.util.Objects.requireNonNull;

/**
 * Production's backups: taken, listed, pruned by the retention policy, and verified; and what a
 * platform stopped in the middle of backup work left, put right at start. Kept content-addressed
 * in the {@link BackupStore} through the {@link BackupCatalog} ({@link BackupRecorder} takes them):
 * <ul>
 * <li>{@code projects/<p>/chunks/<sha256>}: the pieces of the dumps and logs, cut where the
 *     content says, so a day's dump stores only what changed;</li>
 * <li>{@code projects/<p>/files/<sha256>}: filestore and session files, each stored once for
 *     every backup;</li>
 * <li>{@code projects/<p>/backups/<id>.json}: a backup, naming what it is made of.</li>
 * </ul>
 * A backup of a running production does not stop it; it waits for an update in progress.
 * {@link BackupDownloads} writes them as Odoo's zip, {@link ProductionRestores} restores them.
 * Thread-safe.
 */
@Singleton
public final class ProductionBackups
{
    private static final Logger log = LoggerFactory.getLogger(ProductionBackups.class);
    static final String VERIFY_INFIX = "_verify_";
    static final String NEUTRALIZE_INFIX = "_neutralize_";

    private final BackupStore store;
    private final BackupCatalog catalog;
    private final BackupRecorder recorder;
    private final DatabaseProvider databases;
    private final ContainerDumpLoader loader;
    private final ProjectStore projects;
    private final BuildStore builds;
    private final BuildWorkspaces workspaces;
    private final ProductionPipeline production;
    private final ProductionLocks locks;
    private final RetentionPolicy retention;
    private final ProductionReplacement replacement;
    private final Clock clock;

    @Inject
    public ProductionBackups(BackupStore store, BackupCatalog catalog, BackupRecorder recorder, DatabaseProvider databases, ContainerDumpLoader loader, ProjectStore projects,
            BuildStore builds, BuildWorkspaces workspaces, ProductionPipeline production, ProductionLocks locks, RetentionPolicy retention, ProductionReplacement replacement,
            Clock clock)
    {
        this.store = requireNonNull(store, "store is null");
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.recorder = requireNonNull(recorder, "recorder is null");
        this.databases = requireNonNull(databases, "databases is null");
        this.loader = requireNonNull(loader, "loader is null");
        this.projects = requireNonNull(projects, "projects is null");
        this.builds = requireNonNull(builds, "builds is null");
        this.workspaces = requireNonNull(workspaces, "workspaces is null");
        this.production = requireNonNull(production, "production is null");
        this.locks = requireNonNull(locks, "locks is null");
        this.retention = requireNonNull(retention, "retention is null");
        this.replacement = requireNonNull(replacement, "replacement is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * Backs production up while it keeps serving: its dump, its filestore, its sessions, the serving
     * build's logs and Odoo's manifest. A daily or manual backup is verified once taken.
     *
     * @throws StagehandException {@code NOT_FOUND} for an unknown project, or one without production
     *         yet; {@code CONFLICT} past the manual backups a day allows
     */
    public Backup create(String projectId, BackupKind kind)
    {
        requireProject(projectId);
        if (kind == BackupKind.MANUAL) {
            LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
            long todays = catalog.list(projectId).stream()
                    .filter(backup -> backup.kind() == BackupKind.MANUAL && LocalDate.ofInstant(backup.createdAt(), ZoneOffset.UTC).equals(today))
                    .count();
            if (todays >= retention.manualPerDay()) {
                throw new StagehandException(StandardErrorCode.CONFLICT, "Project " + projectId + " has " + todays + " manual backups today, the most a day ("
                        + "backup.manual-per-day); download or restore one of them, or wait until tomorrow (UTC)");
            }
        }
        Backup backup;
        // Never in the middle of an update: the read side, as a staging copy.
        Lock lock = locks.of(projectId).readLock();
        lock.lock();
        try {
            backup = recorder.take(projectId, kind, production.serving(projectId));
        }
        finally {
            lock.unlock();
        }
        if (kind != BackupKind.UPDATE) {
            // Outside the lock: production may update meanwhile. An update backup is taken just
            // before production changes, where speed matters: not checked then.
            verify(projectId, backup.id());
        }
        return backup;
    }

    /**
     * @return the project's backups, newest first
     */
    public List<Backup> list(String projectId)
    {
        requireProject(projectId);
        return catalog.list(projectId);
    }

    /**
     * @throws StagehandException {@code NOT_FOUND}
     */
    public Backup get(String projectId, String backupId)
    {
        requireProject(projectId);
        if (!backupId.matches("[0-9TZa-z-]{1,64}")) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No backup " + backupId + " of project " + projectId);
        }
        String key = BackupCatalog.recordKey(projectId, backupId);
        if (store.stat(key).isEmpty()) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No backup " + backupId + " of project " + projectId + "; list them with GET /api/projects/" + projectId + "/backups");
        }
        return catalog.read(key);
    }

    /**
     * Deletes the backups the retention policy does not keep ({@code backup.keep-daily},
     * {@code -weekly}, {@code -monthly}, {@code backup.manual-retention}), then every stored object no
     * kept backup needs. Backups of the project wait meanwhile.
     */
    public BackupCatalog.Pruned prune(String projectId)
    {
        requireProject(projectId);
        Lock lock = locks.of(projectId).writeLock();
        lock.lock();
        try {
            BackupCatalog.Pruned pruned = catalog.prune(projectId, retention, clock.instant());
            if (!pruned.backups().isEmpty() || pruned.objects() > 0) {
                event(projectId, EventKind.BACKUPS_PRUNED, "Retention: " + pruned.backups().size() + " backup(s) removed " + pruned.backups() + ", and " + pruned.objects()
                        + " object(s) no kept backup needs");
            }
            return pruned;
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * The daily backup of every production, then retention: what the housekeeping schedule runs.
     * A project whose backup fails is logged and the others go on.
     *
     * @return the backups taken
     */
    public List<Backup> backUpEveryProduction()
    {
        List<Backup> taken = new ArrayList<>();
        for (var project : projects.listProjects()) {
            if (!databases.exists(BuildNames.productionDatabaseName(project.id()))) {
                continue;
            }
            try {
                taken.add(create(project.id(), BackupKind.DAILY));
                prune(project.id());
            }
            catch (RuntimeException e) {
                log.error("The daily backup of {} failed; tried again tomorrow", project.id(), e);
                event(project.id(), EventKind.BACKUP_FAILED, "The daily backup failed: " + e.getMessage());
            }
        }
        return taken;
    }

    /**
     * Puts right what a platform stopped in the middle of backup work left, at start, before
     * production serves again and before any build runs: a replacement of production (a restore,
     * an import) is finished ({@link ProductionReplacement#finishInterrupted}); the scratch
     * databases of a verification or a neutralized download ({@code <project>_verify_…},
     * {@code <project>_neutralize_…}: project ids have no underscore, so these are the project's
     * own) and the restores left beside a database ({@code …_incoming}, {@code …_replaced}, where
     * the database itself is there) are dropped; the scratch directories are deleted. A project
     * that cannot be put right is logged and the others go on.
     *
     * @return what was done, one line each
     */
    public List<String> recoverAfterStop()
    {
        List<String> done = new ArrayList<>();
        catalog.deleteScratch();
        workspaces.deleteLeftovers();
        for (var project : projects.listProjects()) {
            try {
                replacement.finishInterrupted(project.id()).ifPresent(done::add);
                for (String leftover : databases.list(project.id() + "_")) {
                    if (leftover.startsWith(project.id() + VERIFY_INFIX) || leftover.startsWith(project.id() + NEUTRALIZE_INFIX)) {
                        databases.drop(leftover);
                        done.add("dropped " + leftover + ", a scratch database");
                    }
                }
                for (String database : databases.list(project.id() + "-")) {
                    for (String suffix : List.of("_incoming", "_replaced")) {
                        String base = database.substring(0, Math.max(0, database.length() - suffix.length()));
                        if (database.endsWith(suffix) && databases.exists(base)) {
                            databases.drop(database);
                            done.add("dropped " + database + ", left beside " + base + " by an interrupted restore");
                        }
                    }
                }
            }
            catch (RuntimeException e) {
                log.error("Cannot put right what a stopped platform left of the backups of {}; the next start tries again", project.id(), e);
                done.add(project.id() + ": " + e.getMessage());
            }
        }
        return done;
    }

    /**
     * What checking a backup found.
     *
     * @param backupId the backup
     * @param at when it was checked
     * @param problems what is wrong, empty when it restores whole
     * @param healed the replica objects that were missing or corrupt and were healed
     */
    public record Verification(String backupId, Instant at, List<String> problems, List<String> healed)
    {
        public Verification
        {
            requireNonNull(backupId, "backupId is null");
            requireNonNull(at, "at is null");
            problems = List.copyOf(requireNonNull(problems, "problems is null"));
            healed = List.copyOf(requireNonNull(healed, "healed is null"));
        }

        public boolean passed()
        {
            return problems.isEmpty();
        }
    }

    /**
     * Checks a backup as a restore would use it: every object read back from every replica against
     * its checksum (a missing or corrupt copy healed from a whole one, and reported), the dump
     * restored into a scratch database with each table's rows and the installed modules as at dump
     * time, then the scratch database dropped. The result is kept with the backup and in the history.
     */
    public Verification verify(String projectId, String backupId)
    {
        Backup backup = get(projectId, backupId);
        Path work = catalog.newWorkDirectory();
        try {
            return verify(backup, work);
        }
        finally {
            Filestores.delete(work);
        }
    }

    /**
     * @return the last verification of the backup, if it was checked
     */
    public Optional<Verification> verification(String projectId, String backupId)
    {
        return catalog.readRecord(verificationKey(projectId, backupId), Verification.class);
    }

    private Verification verify(Backup backup, Path work)
    {
        List<String> problems = new ArrayList<>();
        List<String> healed = new ArrayList<>();
        String projectId = backup.projectId();
        Set<String> keys = new LinkedHashSet<>();
        keys.add(BackupCatalog.recordKey(projectId, backup.id()));
        keys.addAll(BackupCatalog.objectKeys(backup));
        Path piece = work.resolve("verified-piece");
        for (String key : keys) {
            try {
                if (store instanceof ReplicatedBackupStore replicated) {
                    replicated.check(key, piece).forEach(replica -> healed.add(replica + ": " + key));
                }
                else {
                    store.get(key, piece);
                }
            }
            catch (StagehandException e) {
                problems.add(e.getMessage());
            }
        }
        String scratchDatabase = projectId + VERIFY_INFIX + RandomSecrets.randomHex(3);
        try {
            Path dump = work.resolve("verified-dump.sql");
            catalog.writeDump(backup, dump, work);
            databases.restoreDump(scratchDatabase, loader.loaderFor(dump, "backup " + backup.id(), projectId));
            Map<String, Long> restored = rowCounts(scratchDatabase, backup.rows().keySet());
            for (Map.Entry<String, Long> table : backup.rows().entrySet()) {
                long rows = restored.getOrDefault(table.getKey(), -1L);
                if (rows != table.getValue()) {
                    problems.add("Table " + table.getKey() + " has " + rows + " rows restored, " + table.getValue() + " in the dump");
                }
            }
            if (!BackupRecorder.installedModules(databases, scratchDatabase).equals(new TreeMap<>(modules(backup)))) {
                problems.add("The installed modules restored are not those of the backup's manifest");
            }
        }
        catch (StagehandException | IOException e) {
            problems.add("The dump does not restore: " + e.getMessage());
        }
        finally {
            databases.drop(scratchDatabase);
        }
        Verification verification = new Verification(backup.id(), clock.instant(), problems, healed);
        catalog.putRecord(verificationKey(projectId, backup.id()), verification, Map.of("passed", Boolean.toString(verification.passed())));
        if (verification.passed()) {
            event(projectId, EventKind.BACKUP_VERIFIED, "Backup " + backup.id() + " verified: restored into a scratch database, " + backup.rows().size() + " tables' rows and "
                    + modules(backup).size() + " modules as dumped, " + keys.size() + " objects whole" + (healed.isEmpty() ? "" : "; healed " + healed));
        }
        else {
            log.error("Backup {} of {} failed its verification: {}", backup.id(), projectId, problems);
            event(projectId, EventKind.BACKUP_VERIFICATION_FAILED, "Backup " + backup.id() + " failed its verification: " + String.join("; ", problems));
        }
        return verification;
    }

    /**
     * Each table's own rows, as pg_dump copies them: {@code ONLY}, since Odoo's tables inherit
     * ({@code ir_act_window} from {@code ir_actions}) and a parent's count holds its children's.
     * One query for all (a database has hundreds), the names as pg_dump wrote them, quoted.
     */
    private Map<String, Long> rowCounts(String database, Set<String> tables)
    {
        Map<String, Long> counts = new TreeMap<>();
        if (tables.isEmpty()) {
            return counts;
        }
        List<String> selects = new ArrayList<>();
        for (String table : tables) {
            selects.add("SELECT ? AS t, count(*) AS n FROM ONLY " + table);
        }
        for (Map<String, Object> row : databases.query(database, String.join(" UNION ALL ", selects), List.copyOf(tables))) {
            counts.put(String.valueOf(row.get("t")), ((Number) row.get("n")).longValue());
        }
        return counts;
    }

    private static Map<?, ?> modules(Backup backup)
    {
        return (Map<?, ?>) backup.odooManifest().getOrDefault("modules", Map.of());
    }

    void requireProject(String projectId)
    {
        if (projects.findProject(projectId).isEmpty()) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No project " + projectId);
        }
    }

    void event(String projectId, EventKind kind, String message)
    {
        builds.appendEvent(new Event(0, projectId, Optional.empty(), Optional.empty(), kind, message, clock.instant()));
    }

    private static String verificationKey(String projectId, String backupId)
    {
        return "projects/" + projectId + "/verifications/" + backupId + ".json";
    }
}
