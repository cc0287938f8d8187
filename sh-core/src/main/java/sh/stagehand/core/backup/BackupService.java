package sh.stagehand.core.backup;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildNames;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.logs.BuildLogs;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.odoo.OdooVersion;
import sh.stagehand.core.pipeline.BuildCleaner;
import sh.stagehand.core.pipeline.BuildSteps;
import sh.stagehand.core.pipeline.BuildWorkspaces;
import sh.stagehand.core.pipeline.Filestores;
import sh.stagehand.core.pipeline.ProductionLocks;
import sh.stagehand.core.pipeline.ProductionPipeline;
import sh.stagehand.core.pipeline.StagingPipeline;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.Event;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.spi.ProviderContext;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.backup.BackupStore;
import sh.stagehand.spi.database.DatabaseConnection;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.spi.database.DumpLoader;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.Lock;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static java.util.Objects.requireNonNull;

/**
 * Backups of production, kept content-addressed in the {@link BackupStore} through the
 * {@link BackupCatalog} ({@link BackupRecorder} takes them):
 * <ul>
 * <li>{@code projects/<p>/chunks/<sha256>}: the pieces of the dumps and logs, cut where the
 *     content says ({@link ContentDefinedChunker}), so a day's dump stores only what changed;</li>
 * <li>{@code projects/<p>/files/<sha256>}: filestore and session files, each stored once for
 *     every backup;</li>
 * <li>{@code projects/<p>/backups/<id>.json}: a backup, naming what it is made of.</li>
 * </ul>
 * A backup of a running production does not stop it; it waits for an update in progress. Its
 * download is Odoo's database manager zip, exact or neutralized; a restore or an import into
 * production takes an update backup first, and changes nothing if what it brings cannot be
 * restored whole. Thread-safe.
 */
@Singleton
public final class BackupService
{
    /**
     * What Odoo.sh does to a database imported into production ({@code odoo_sh/getting_started/
     * create.rst}, "Import your database"): every outgoing and incoming mail server off, so that mail
     * goes out through the platform's own; every scheduled action off, so that the imported
     * database acts on nothing (its mail queue, its synchronisations) before a person turns on what
     * production needs. Odoo's own auto-vacuum stays on, as Odoo's neutralization keeps it
     * ({@code odoo/addons/base/data/neutralize.sql}).
     */
    /**
     * Run on an imported dump before it takes a database's place: a dump of another application
     * (no Odoo database) would otherwise replace it, then fail Odoo's neutralization, or the
     * server's start.
     */
    static final String ODOO_DATABASE = """
            DO $$ BEGIN
                IF to_regclass('public.ir_module_module') IS NULL THEN
                    RAISE EXCEPTION 'it is no Odoo database: it has no ir_module_module table';
                END IF;
                IF NOT EXISTS (SELECT 1 FROM public.ir_module_module WHERE name = 'base' AND state = 'installed') THEN
                    RAISE EXCEPTION 'it is no Odoo database: Odoo''s base module is not installed in it';
                END IF;
            END $$;
            """;

    static final String IMPORTED_INTO_PRODUCTION = """
            UPDATE public.ir_mail_server SET active = false;
            UPDATE public.ir_cron SET active = false
                WHERE id NOT IN (SELECT res_id FROM public.ir_model_data WHERE module = 'base' AND name = 'autovacuum_job' AND model = 'ir.cron');
            DO $$ BEGIN
                IF to_regclass('public.fetchmail_server') IS NOT NULL THEN UPDATE public.fetchmail_server SET active = false; END IF;
            END $$;
            """;

    private static final Logger log = LoggerFactory.getLogger(BackupService.class);
    private static final String PG_DUMP_COMPLETE = "-- PostgreSQL database dump complete";
    private static final String VERIFY_INFIX = "_verify_";
    private static final String NEUTRALIZE_INFIX = "_neutralize_";

    private final BackupStore store;
    private final BackupCatalog catalog;
    private final BackupRecorder recorder;
    private final DatabaseProvider databases;
    private final ContainerDumpLoader loader;
    private final ProjectStore projects;
    private final BuildStore builds;
    private final BuildWorkspaces workspaces;
    private final ProductionPipeline production;
    private final StagingPipeline staging;
    private final BuildSteps steps;
    private final ProductionLocks locks;
    private final BuildCleaner cleaner;
    private final BuildLogs logs;
    private final RetentionPolicy retention;
    private final ProductionReplacement replacement;
    private final OdooBackupArchive.Limits importLimits = OdooBackupArchive.Limits.DEFAULT;
    private final Clock clock;

    @Inject
    public BackupService(BackupStore store, BackupCatalog catalog, BackupRecorder recorder, DatabaseProvider databases, ContainerDumpLoader loader, ProjectStore projects, BuildStore builds,
            BuildWorkspaces workspaces, ProductionPipeline production, StagingPipeline staging, BuildSteps steps, ProductionLocks locks, BuildCleaner cleaner, BuildLogs logs,
            RetentionPolicy retention, ProductionReplacement replacement, Clock clock)
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
        this.staging = requireNonNull(staging, "staging is null");
        this.steps = requireNonNull(steps, "steps is null");
        this.locks = requireNonNull(locks, "locks is null");
        this.cleaner = requireNonNull(cleaner, "cleaner is null");
        this.logs = requireNonNull(logs, "logs is null");
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
     * {@code -weekly}, {@code -monthly}, {@code backup.manual-days}), then every stored object no
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
        String key = verificationKey(projectId, backupId);
        if (store.stat(key).isEmpty()) {
            return Optional.empty();
        }
        Path work = catalog.newWorkDirectory();
        try {
            Path record = work.resolve("verification.json");
            store.get(key, record);
            return Optional.of(BackupCatalog.JSON.readValue(record.toFile(), Verification.class));
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.CORRUPT_DATA, "Cannot read " + key + ": " + e.getMessage(), e);
        }
        finally {
            Filestores.delete(work);
        }
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
        String scratchDatabase = projectId + VERIFY_INFIX + randomHex(3);
        try {
            Path dump = work.resolve("verified-dump.sql");
            writeDump(backup, dump, work);
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
        try {
            Path record = work.resolve("verification.json");
            BackupCatalog.JSON.writeValue(record.toFile(), verification);
            store.put(verificationKey(projectId, backup.id()), record, Map.of("passed", Boolean.toString(verification.passed())));
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot keep the verification of backup " + backup.id() + ": " + e, e);
        }
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

    /**
     * What a download holds, as Odoo.sh offers it.
     *
     * @param withFilestore the filestore too, or the database alone
     * @param neutralized the dump of a neutralized copy, for testing (Odoo's {@code odoo neutralize}:
     *        mail servers and crons off, payment providers out of live mode, the banner on), or the
     *        exact dump, for a restore
     */
    public record DownloadOptions(boolean withFilestore, boolean neutralized)
    {
        public static final DownloadOptions EXACT = new DownloadOptions(true, false);
    }

    /**
     * A download whose every check and every slow step (neutralizing) is done, ready to be written:
     * what can fail before the first byte goes out has failed by then.
     */
    public final class PreparedDownload
            implements AutoCloseable
    {
        private final Backup backup;
        private final DownloadOptions options;
        private final Path work;
        private final Optional<Path> dump;

        private PreparedDownload(Backup backup, DownloadOptions options, Path work, Optional<Path> dump)
        {
            this.backup = backup;
            this.options = options;
            this.work = work;
            this.dump = dump;
        }

        /**
         * @return {@code <project>_<backup>[_neutralized][_nofilestore].zip}
         */
        public String fileName()
        {
            return backup.projectId() + "_" + backup.id() + (options.neutralized() ? "_neutralized" : "") + (options.withFilestore() ? "" : "_nofilestore") + ".zip";
        }

        /**
         * Writes Odoo's database manager zip ({@code odoo/service/db.py dump_db}): {@code dump.sql}
         * first, {@code manifest.json}, then {@code filestore/…} unless left out. Every piece is
         * checked against its checksum on the way.
         *
         * @throws StagehandException {@code CORRUPT_DATA} if a stored piece does not match its checksum
         */
        public void writeTo(OutputStream out)
        {
            writeZip(out);
            event(backup.projectId(), EventKind.BACKUP_DOWNLOADED, "Backup " + backup.id() + " downloaded" + (options.neutralized() ? ", neutralized" : "")
                    + (options.withFilestore() ? "" : ", without its filestore"));
        }

        private void writeZip(OutputStream out)
        {
            try (ZipOutputStream zip = new ZipOutputStream(out)) {
                zip.putNextEntry(new ZipEntry("dump.sql"));
                if (dump.isPresent()) {
                    Files.copy(dump.get(), zip);
                }
                else {
                    writeDump(backup, zip, work);
                }
                zip.closeEntry();
                zip.putNextEntry(new ZipEntry("manifest.json"));
                zip.write(BackupCatalog.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(backup.odooManifest()));
                zip.closeEntry();
                if (options.withFilestore()) {
                    for (Backup.FileEntry file : backup.files()) {
                        zip.putNextEntry(new ZipEntry("filestore/" + file.path()));
                        Path piece = catalog.fetch(BackupCatalog.fileKey(backup.projectId(), file.sha256()), work);
                        Files.copy(piece, zip);
                        Files.delete(piece);
                        zip.closeEntry();
                    }
                }
            }
            catch (IOException e) {
                throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot write backup " + backup.id() + " of " + backup.projectId() + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void close()
        {
            Filestores.delete(work);
        }
    }

    /**
     * Prepares a backup's download. A neutralized one is restored into a scratch database,
     * neutralized there by {@code odoo neutralize} with the serving production build's image (so
     * each installed module's {@code neutralize.sql} runs), dumped, and the scratch database dropped.
     *
     * @throws StagehandException {@code NOT_FOUND}; {@code CONFLICT} for a neutralized download of a
     *         project whose production does not serve; {@code PROVIDER_ERROR} if neutralizing fails
     */
    public PreparedDownload prepareDownload(String projectId, String backupId, DownloadOptions options)
    {
        Backup backup = get(projectId, backupId);
        Path work = catalog.newWorkDirectory();
        try {
            Optional<Path> dump = options.neutralized() ? Optional.of(neutralizedDump(backup, work)) : Optional.empty();
            return new PreparedDownload(backup, options, work, dump);
        }
        catch (IOException e) {
            Filestores.delete(work);
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot prepare the download of backup " + backupId + " of " + projectId + ": " + e, e);
        }
        catch (RuntimeException e) {
            Filestores.delete(work);
            throw e;
        }
    }

    /**
     * {@link #prepareDownload} and {@link PreparedDownload#writeTo}.
     */
    public void download(String projectId, String backupId, DownloadOptions options, OutputStream out)
    {
        try (PreparedDownload download = prepareDownload(projectId, backupId, options)) {
            download.writeTo(out);
        }
    }

    private Path neutralizedDump(Backup backup, Path work)
            throws IOException
    {
        String projectId = backup.projectId();
        Path exact = work.resolve("exact.sql");
        Path neutralized = work.resolve("neutralized.sql");
        String task = "download-" + randomHex(4);
        String copy = projectId + NEUTRALIZE_INFIX + randomHex(3);
        writeDump(backup, exact, work);
        DatabaseConnection connection = databases.restoreDump(copy, loader.loaderFor(exact, "backup " + backup.id(), projectId));
        try {
            Path data = workspaces.taskData(task);
            try {
                List<String> output = new ArrayList<>();
                BuildSteps.OdooRun run;
                // The serving build's image and addons, which an update must not retire meanwhile.
                Lock lock = locks.of(projectId).readLock();
                lock.lock();
                try {
                    Build serving = production.serving(projectId).orElseThrow(() -> new StagehandException(StandardErrorCode.CONFLICT, "Project " + projectId
                            + " has no production server to neutralize a copy of backup " + backup.id() + " with (Odoo's neutralize runs each installed module's "
                            + "neutralize.sql); download the exact dump, or restore production first"));
                    run = steps.neutralize(serving, task, copy, connection, data, output::add);
                }
                finally {
                    lock.unlock();
                }
                if (run.failed()) {
                    throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot neutralize a copy of backup " + backup.id() + ": odoo neutralize " + run.describe() + ": "
                            + String.join("\n", output.subList(Math.max(0, output.size() - 20), output.size())));
                }
                databases.dump(copy, neutralized);
                log.info("Backup {} of {} neutralized for download in {}", backup.id(), projectId, run.took());
                return neutralized;
            }
            finally {
                Filestores.delete(data);
            }
        }
        finally {
            databases.drop(copy);
        }
    }

    /**
     * Writes one of the logs kept with a backup: the serving build's, as they were then.
     *
     * @throws StagehandException {@code NOT_FOUND} if the backup has no such log
     */
    public void writeLog(String projectId, String backupId, LogName name, OutputStream out)
    {
        Backup backup = get(projectId, backupId);
        Backup.Chunked content = Optional.ofNullable(backup.logs().get(name.fileName())).orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND,
                "Backup " + backupId + " of " + projectId + " has no " + name.fileName() + "; it has " + (backup.logs().isEmpty() ? "no logs" : String.join(", ", backup.logs().keySet()))));
        Path work = catalog.newWorkDirectory();
        try {
            catalog.writeChunked(projectId, content, new NonClosing(out), work, name.fileName() + " of backup " + backupId);
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot write " + name.fileName() + " of backup " + backupId + ": " + e.getMessage(), e);
        }
        finally {
            Filestores.delete(work);
        }
    }

    /**
     * Restores a backup into production: every piece is fetched and checked first; an update
     * backup of production as it is is taken; then the serving build stops, the database, the
     * filestore and the sessions are replaced, and it serves again. If the backup cannot be
     * restored whole, production is left as it was.
     *
     * @return the update backup taken before
     */
    public Backup restore(String projectId, String backupId)
    {
        Backup backup = get(projectId, backupId);
        Path work = catalog.newWorkDirectory();
        Lock lock = locks.of(projectId).writeLock();
        lock.lock();
        try {
            ProductionReplacement.Stage stage = replacement.stage(projectId);
            writeDump(backup, stage.dump(), work);
            materialize(projectId, backup.files(), stage.filestore(), work);
            materialize(projectId, backup.sessions(), stage.sessions(), work);
            Optional<Build> serving = production.serving(projectId);
            Backup before = recorder.take(projectId, BackupKind.UPDATE, serving);
            replacement.apply(stage, "backup " + backupId, "", serving);
            event(projectId, EventKind.BACKUP_RESTORED, "Backup " + backupId + " restored into production; what production held before is backup " + before.id());
            return before;
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot restore backup " + backupId + " of " + projectId + ": " + e, e);
        }
        finally {
            lock.unlock();
            Filestores.delete(work);
        }
    }

    /**
     * Restores a backup of production into a staging (or development) branch's newest running
     * build, neutralized there: the backup's zip imported as {@link #importInto} imports one.
     *
     * @return the build, serving the backup's data, neutralized
     */
    public Build restoreInto(String projectId, String backupId, String branchName)
    {
        get(projectId, backupId);
        Branch branch = requireBranch(projectId, branchName);
        if (branch.stage() == Stage.PRODUCTION) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Branch " + branchName + " is production: restore into it with POST /api/projects/" + projectId
                    + "/backups/" + backupId + "/restore");
        }
        Path work = catalog.newWorkDirectory();
        try {
            Path zip = work.resolve(projectId + "_" + backupId + ".zip");
            try (PreparedDownload download = prepareDownload(projectId, backupId, DownloadOptions.EXACT); OutputStream out = Files.newOutputStream(zip)) {
                download.writeZip(out);
            }
            Build serving = importInto(projectId, branchName, zip);
            event(projectId, EventKind.BACKUP_RESTORED, "Backup " + backupId + " restored into " + branchName + " (build " + serving.id() + "), neutralized");
            return serving;
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot restore backup " + backupId + " into " + branchName + ": " + e, e);
        }
        finally {
            Filestores.delete(work);
        }
    }

    /**
     * Imports a database, as Odoo.sh's "import database": a zip of Odoo's database manager
     * ({@link OdooBackupArchive}, read as hostile input), a plain {@code .sql}, or a
     * {@code pg_dump} custom-format file. The file is checked whole before anything changes, and
     * the database and filestore are replaced only once the dump ran whole. Progress goes to the
     * build's import.log.
     * <ul>
     * <li>Into a staging or development branch's newest running build: then Odoo's own
     *     neutralization runs and the build serves it, its mail caught.</li>
     * <li>Into production: an update backup of production is taken first; the imported database's
     *     mail servers and scheduled actions are turned off as it is restored
     *     ({@link #IMPORTED_INTO_PRODUCTION}); the serving build serves it.</li>
     * </ul>
     *
     * @return the build serving the imported database
     * @throws StagehandException {@code INVALID_ARGUMENT} for a file that is none of those or a
     *         refused zip; {@code NOT_FOUND} for a branch without a running build
     */
    public Build importInto(String projectId, String branchName, Path upload)
    {
        requireProject(projectId);
        Branch branch = requireBranch(projectId, branchName);
        Build build = branch.stage() == Stage.PRODUCTION
                ? servingProduction(projectId, branchName)
                : builds.listBuilds(projectId, branchName).stream()
                        .filter(candidate -> candidate.state() == BuildState.RUNNING && candidate.databaseName().equals(candidate.instanceName()))
                        .findFirst()
                        .orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "Branch " + branchName + " of " + projectId + " has no running build to import into; push to it first"));
        Path work = catalog.newWorkDirectory();
        importLog(build, "Importing " + upload.getFileName() + " (" + bytes(sizeOf(upload)) + ") into build " + build.id() + " (" + build.databaseName() + ")");
        try {
            Upload checked = readUpload(build, upload, work);
            Build serving = branch.stage() == Stage.PRODUCTION ? importIntoProduction(build, checked, upload) : importIntoBuild(build, checked);
            event(projectId, EventKind.DATABASE_IMPORTED, "Imported " + upload.getFileName() + " into build " + serving.id() + " of " + branchName
                    + (branch.stage() == Stage.PRODUCTION ? ", its mail servers and scheduled actions off" : ", neutralized"));
            return serving;
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot import " + upload.getFileName() + ": " + e, e);
        }
        catch (StagehandException e) {
            importLog(build, "Import failed: " + e.getMessage());
            if (e.errorCode().equals(StandardErrorCode.CORRUPT_DATA.toErrorCode())) {
                // The file sent is at fault, not the platform.
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "The dump in " + upload.getFileName() + " does not restore, and " + branchName
                        + "'s database is as it was: " + e.getMessage() + ". Send a whole dump of Odoo's database manager or pg_dump --no-owner", e);
            }
            throw e;
        }
        catch (RuntimeException e) {
            importLog(build, "Import failed: " + e.getMessage());
            throw e;
        }
        finally {
            logs.close(build.id(), LogName.IMPORT);
            Filestores.delete(work);
        }
    }

    // A file checked whole: its dump (plain SQL or custom format), its loader, and its filestore, possibly empty.
    private record Upload(Path dump, DumpLoader loader, Path filestore) {}

    private Upload readUpload(Build build, Path upload, Path work)
            throws IOException
    {
        switch (format(upload)) {
            case ZIP -> {
                importLog(build, "Checking and extracting the zip");
                OdooBackupArchive.Extracted extracted = OdooBackupArchive.extract(upload, work, importLimits, OdooVersion.DEFAULT_SERIES);
                extracted.manifest().ifPresent(manifest -> importLog(build, "manifest.json: database " + manifest.get("db_name") + " of Odoo " + manifest.get("major_version")
                        + ", " + ((Map<?, ?>) manifest.getOrDefault("modules", Map.of())).size() + " modules"));
                requireWholePlainDump(upload, extracted.dump());
                DumpLoader checked = loader.loaderFor(extracted.dump(), upload.getFileName() + " (its dump.sql)", build.projectId());
                return new Upload(extracted.dump(), checked, extracted.filestore());
            }
            case CUSTOM -> importLog(build, "A pg_dump custom-format file: restored with pg_restore --no-owner, as Odoo's database manager restores one");
            case SQL -> {
                requireWholePlainDump(upload, upload);
                importLog(build, "A plain SQL dump");
            }
        }
        DumpLoader checked = loader.loaderFor(upload, upload.getFileName().toString(), build.projectId());
        Path filestore = work.resolve("filestore");
        Files.createDirectories(filestore);
        return new Upload(upload, checked, filestore);
    }

    private Build importIntoBuild(Build build, Upload upload)
            throws IOException
    {
        importLog(build, "Restoring the dump (" + bytes(sizeOf(upload.dump())) + ") beside the build's database");
        cleaner.removeContainers(build.id());
        try {
            databases.replaceWithDump(build.databaseName(), upload.loader(), ODOO_DATABASE);
        }
        catch (RuntimeException e) {
            importLog(build, "The dump does not restore; the build's database is as it was: " + e.getMessage());
            staging.serveAgain(build, "serving again: an import into it did not restore");
            throw e;
        }
        // In the build's data directory, whatever its container put there (a link to a directory
        // of the host in the filestore's place) is replaced, never followed.
        workspaces.dataDirectory(build.id()).replace(Filestores.of(build.databaseName()), upload.filestore());
        importLog(build, "Database and filestore replaced; neutralizing (neutralize.log)");
        Build serving = staging.neutralizeAndServe(build);
        importLog(build, "Done: the imported database is neutralized and served, its mail caught");
        return serving;
    }

    private Build importIntoProduction(Build checked, Upload upload, Path file)
            throws IOException
    {
        String projectId = checked.projectId();
        Lock lock = locks.of(projectId).writeLock();
        lock.lock();
        try {
            // Checking the file took a while: an update may have replaced the serving build meanwhile.
            Build serving = servingProduction(projectId, checked.branch());
            if (serving.id() != checked.id()) {
                throw new StagehandException(StandardErrorCode.CONFLICT, "Production of " + projectId + " was updated while " + file.getFileName() + " was checked: build "
                        + serving.id() + " serves now; nothing was imported, send it again");
            }
            ProductionReplacement.Stage stage = replacement.stage(projectId);
            Files.move(upload.dump(), stage.dump());
            Files.delete(stage.filestore());
            Files.move(upload.filestore(), stage.filestore());
            importLog(serving, "Taking an update backup of production first");
            Backup before = recorder.take(projectId, BackupKind.UPDATE, Optional.of(serving));
            importLog(serving, "Update backup " + before.id() + " taken; restoring the dump (" + bytes(sizeOf(stage.dump())) + ") beside production's database");
            // A database's sessions are not another's: the stage's are none.
            replacement.apply(stage, "the imported " + file.getFileName(), ODOO_DATABASE + IMPORTED_INTO_PRODUCTION, Optional.of(serving));
            importLog(serving, "Done: production serves the imported database, its mail servers and scheduled actions off (turn on the ones production needs); "
                    + "what production held before is backup " + before.id());
            return production.serving(projectId).orElse(serving);
        }
        finally {
            lock.unlock();
        }
    }

    private Build servingProduction(String projectId, String branchName)
    {
        return production.serving(projectId).orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "Production of " + projectId
                + " has no serving build to import into; push to " + branchName + " first"));
    }

    // The backup's files fetched and checked into a directory of their own (the platform's alone
    // until it takes production's place). Their paths are names a tenant's container chose: each
    // stays below the directory, through directories made here, never through a link.
    private Path materialize(String projectId, List<Backup.FileEntry> files, Path directory, Path work)
            throws IOException
    {
        Files.createDirectories(directory);
        for (Backup.FileEntry file : files) {
            Path target = safeResolve(directory, file.path());
            Path parent = directory;
            for (Path name : directory.relativize(target.getParent())) {
                if (name.toString().isEmpty()) {
                    continue;
                }
                parent = parent.resolve(name.toString());
                if (!Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
                    if (Files.exists(parent, LinkOption.NOFOLLOW_LINKS)) {
                        throw new StagehandException(StandardErrorCode.CORRUPT_DATA, "A backup names '" + file.path() + "', below '" + directory.relativize(parent)
                                + "', which it also names as a file; refusing it");
                    }
                    Files.createDirectory(parent);
                }
            }
            // A rename: whatever is at the target is replaced, not written through.
            Files.move(catalog.fetch(BackupCatalog.fileKey(projectId, file.sha256()), work), target, StandardCopyOption.REPLACE_EXISTING);
        }
        return directory;
    }

    private enum UploadFormat
    {
        ZIP, SQL, CUSTOM
    }

    private static UploadFormat format(Path upload)
            throws IOException
    {
        byte[] head = new byte[5];
        int read;
        try (InputStream in = Files.newInputStream(upload)) {
            read = in.readNBytes(head, 0, head.length);
        }
        if (read >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return UploadFormat.ZIP;
        }
        if (read == 5 && new String(head, StandardCharsets.US_ASCII).equals("PGDMP")) {
            return UploadFormat.CUSTOM;
        }
        if (read > 0 && (head[0] == '-' || head[0] == 'S' || head[0] == '\\' || head[0] == '\n' || head[0] == 'C' || head[0] == 'B')) {
            return UploadFormat.SQL;
        }
        throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, upload.getFileName() + " is none of a zip of Odoo's database manager, a plain .sql dump or a pg_dump "
                + "custom-format file: send what Odoo's database manager, pg_dump or Stagehand's backup download made");
    }

    /**
     * A plain dump cut short at a statement's end would restore without an error, and without the
     * rest of the data: pg_dump ends every whole dump with its "dump complete" line (then, from
     * 15.14, its unrestrict key).
     */
    private static void requireWholePlainDump(Path upload, Path dump)
            throws IOException
    {
        long size = Files.size(dump);
        byte[] tail;
        try (InputStream in = Files.newInputStream(dump)) {
            in.skipNBytes(Math.max(0, size - 1024));
            tail = in.readAllBytes();
        }
        if (!new String(tail, StandardCharsets.ISO_8859_1).contains(PG_DUMP_COMPLETE)) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Refused " + upload.getFileName() + ": its dump is cut short (pg_dump ends a whole dump with '"
                    + PG_DUMP_COMPLETE + "', and it has none), so restoring it would lose what is missing. Nothing was imported; send the whole file");
        }
    }

    private void importLog(Build build, String line)
    {
        logs.append(build.id(), LogName.IMPORT, "%s INFO %s stagehand.import: %s".formatted(DateTimeFormatter.ISO_INSTANT.format(clock.instant()), build.databaseName(), line));
    }

    // The backup's dump, as pg_dump 15.14+ writes one: psql takes no meta-command but this key's
    // unrestrict from it. A key of its own for each copy (the stored dump has none, or every day's would differ).
    private void writeDump(Backup backup, OutputStream out, Path work)
            throws IOException
    {
        String key = randomHex(24);
        out.write(("\\restrict " + key + "\n").getBytes(StandardCharsets.US_ASCII));
        catalog.writeChunked(backup.projectId(), backup.dump(), new NonClosing(out), work, "The dump of backup " + backup.id() + " of " + backup.projectId());
        out.write(("\n\\unrestrict " + key + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private void writeDump(Backup backup, Path target, Path work)
            throws IOException
    {
        try (OutputStream out = Files.newOutputStream(target)) {
            writeDump(backup, out, work);
        }
    }

    private static Map<?, ?> modules(Backup backup)
    {
        return (Map<?, ?>) backup.odooManifest().getOrDefault("modules", Map.of());
    }

    private Branch requireBranch(String projectId, String branchName)
    {
        return projects.findBranch(projectId, branchName)
                .orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "No branch " + branchName + " in project " + projectId));
    }

    private void requireProject(String projectId)
    {
        if (projects.findProject(projectId).isEmpty()) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No project " + projectId);
        }
    }

    private void event(String projectId, EventKind kind, String message)
    {
        builds.appendEvent(new Event(0, projectId, Optional.empty(), Optional.empty(), kind, message, clock.instant()));
    }

    private static Path safeResolve(Path root, String relative)
    {
        for (String name : relative.split("/", -1)) {
            if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('\0') >= 0) {
                throw new StagehandException(StandardErrorCode.CORRUPT_DATA, "A backup names the path '" + relative + "', which is no path of names below its directory; refusing it");
            }
        }
        Path resolved = root.resolve(relative).normalize();
        if (!resolved.startsWith(root) || relative.startsWith("/")) {
            throw new StagehandException(StandardErrorCode.CORRUPT_DATA, "A backup names the path '" + relative + "', which leaves its directory; refusing it");
        }
        return resolved;
    }

    private static String verificationKey(String projectId, String backupId)
    {
        return "projects/" + projectId + "/verifications/" + backupId + ".json";
    }

    private static String randomHex(int bytes)
    {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    private static long sizeOf(Path file)
    {
        try {
            return Files.size(file);
        }
        catch (IOException e) {
            return -1;
        }
    }

    static String bytes(long count)
    {
        return count < 1024 * 1024 ? "%.1f kB".formatted(count / 1024.0) : "%.1f MB".formatted(count / (1024.0 * 1024));
    }

    // Lets a zip entry or a response be written through a stream that must not be closed.
    private static final class NonClosing
            extends FilterOutputStream
    {
        NonClosing(OutputStream out)
        {
            super(out);
        }

        @Override
        public void write(byte[] bytes, int offset, int length)
                throws IOException
        {
            out.write(bytes, offset, length);
        }

        @Override
        public void close()
                throws IOException
        {
            flush();
        }
    }
}
