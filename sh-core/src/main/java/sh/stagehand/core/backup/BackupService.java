package sh.stagehand.core.backup;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildNames;
import sh.stagehand.core.logs.BuildLogs;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.odoo.OdooVersion;
import sh.stagehand.core.pipeline.BuildCleaner;
import sh.stagehand.core.pipeline.BuildWorkspaces;
import sh.stagehand.core.pipeline.Filestores;
import sh.stagehand.core.pipeline.ProductionLocks;
import sh.stagehand.core.pipeline.ProductionPipeline;
import sh.stagehand.core.pipeline.StagingPipeline;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.Event;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.spi.ProviderContext;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.backup.BackupStore;
import sh.stagehand.spi.backup.StoredObject;
import sh.stagehand.spi.database.DatabaseProvider;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.Lock;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static java.util.Objects.requireNonNull;

/**
 * Backups of production, kept content-addressed in the {@link BackupStore}:
 * <ul>
 * <li>{@code projects/<p>/chunks/<sha256>}: the pieces of the dumps, cut where the content says
 *     ({@link ContentDefinedChunker}), so a day's dump stores only what changed;</li>
 * <li>{@code projects/<p>/files/<sha256>}: filestore files, each stored once for every backup;</li>
 * <li>{@code projects/<p>/backups/<id>.json}: a backup, naming the chunks and files it is made of.</li>
 * </ul>
 * A backup of a running production does not stop it; it waits for an update in progress. Its
 * download is Odoo's database manager zip; a restore into production takes an update backup first,
 * and changes nothing if the backup cannot be restored whole. Thread-safe.
 */
@Singleton
public final class BackupService
{
    private static final Logger log = LoggerFactory.getLogger(BackupService.class);
    private static final String ENCODING = "encoding";
    private static final String DEFLATE = "deflate";
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final BackupStore store;
    private final DatabaseProvider databases;
    private final ProjectStore projects;
    private final BuildStore builds;
    private final BuildWorkspaces workspaces;
    private final ProductionPipeline production;
    private final ProductionLocks locks;
    private final BuildCleaner cleaner;
    private final Path scratch;
    private final BackupCatalog catalog;
    private final RetentionPolicy retention;
    private final StagingPipeline staging;
    private final BuildLogs logs;
    private final OdooBackupArchive.Limits importLimits = OdooBackupArchive.Limits.DEFAULT;
    private final Clock clock;

    @Inject
    public BackupService(BackupStore store, DatabaseProvider databases, ProjectStore projects, BuildStore builds, BuildWorkspaces workspaces, ProductionPipeline production,
            ProductionLocks locks, BuildCleaner cleaner, ProviderContext context, RetentionPolicy retention, StagingPipeline staging, BuildLogs logs, Clock clock)
    {
        this.staging = requireNonNull(staging, "staging is null");
        this.logs = requireNonNull(logs, "logs is null");
        this.store = requireNonNull(store, "store is null");
        this.databases = requireNonNull(databases, "databases is null");
        this.projects = requireNonNull(projects, "projects is null");
        this.builds = requireNonNull(builds, "builds is null");
        this.workspaces = requireNonNull(workspaces, "workspaces is null");
        this.production = requireNonNull(production, "production is null");
        this.locks = requireNonNull(locks, "locks is null");
        this.cleaner = requireNonNull(cleaner, "cleaner is null");
        this.scratch = context.dataDirectory().resolve("backup-scratch");
        this.catalog = new BackupCatalog(store, scratch);
        this.retention = requireNonNull(retention, "retention is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * Backs production up while it keeps serving: its dump, its filestore and Odoo's manifest.
     *
     * @throws StagehandException {@code NOT_FOUND} for an unknown project, or one without production yet
     */
    public Backup create(String projectId, BackupKind kind)
    {
        requireProject(projectId);
        String database = BuildNames.productionDatabaseName(projectId);
        if (!databases.exists(database)) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "Project " + projectId + " has no production database yet; its first production build creates it");
        }
        if (kind == BackupKind.MANUAL) {
            java.time.LocalDate today = java.time.LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
            long todays = catalog.list(projectId).stream()
                    .filter(backup -> backup.kind() == BackupKind.MANUAL && java.time.LocalDate.ofInstant(backup.createdAt(), ZoneOffset.UTC).equals(today))
                    .count();
            if (todays >= retention.manualPerDay()) {
                throw new StagehandException(StandardErrorCode.CONFLICT, "Project " + projectId + " has " + todays + " manual backups today, the most a day ("
                        + "backup.manual-per-day); download or restore one of them, or wait until tomorrow (UTC)");
            }
        }
        Path work = scratchDirectory();
        // Never in the middle of an update: the read side, as a staging copy.
        Lock lock = locks.of(projectId).readLock();
        lock.lock();
        boolean held = true;
        try {
            String id = newId(projectId, kind);
            Optional<String> commit = production.serving(projectId).map(Build::commitId);
            Path dump = work.resolve("dump.sql");
            databases.dump(database, dump);
            List<Backup.FileEntry> files = storeFilestore(projectId, workspaces.productionData(projectId).resolve("filestore").resolve(database), work);
            Backup.Dump chunks = storeDump(projectId, dump, work);
            Backup backup = new Backup(id, projectId, kind, clock.instant(), commit, database, chunks, files, odooManifest(database), DumpCensus.rows(dump));
            catalog.write(backup);
            event(projectId, EventKind.BACKUP_CREATED, "Backup %s (%s) of production%s: database dump %s in %d chunks, %d filestore files (%s)".formatted(
                    id, kind.name().toLowerCase(Locale.ROOT), commit.map(c -> " at " + c.substring(0, 8)).orElse(""), bytes(chunks.sizeBytes()), chunks.chunks().size(),
                    files.size(), bytes(backup.filestoreBytes())));
            log.info("Backup {} of {} taken", id, projectId);
            lock.unlock();
            held = false;
            if (kind != BackupKind.UPDATE) {
                // Outside the lock: production may update meanwhile. An update backup is taken just
                // before production changes, where speed matters: not checked then.
                verify(backup, work);
            }
            return backup;
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot back up production of " + projectId + ": " + e, e);
        }
        finally {
            if (held) {
                lock.unlock();
            }
            Filestores.delete(work);
        }
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
     * What checking a backup found.
     *
     * @param backupId the backup
     * @param at when it was checked
     * @param problems what is wrong, empty when it restores whole
     * @param healed the replica objects that were missing or corrupt and were healed
     */
    public record Verification(String backupId, java.time.Instant at, List<String> problems, List<String> healed)
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
        Path work = scratchDirectory();
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
        Path work = scratchDirectory();
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
        List<String> keys = new ArrayList<>();
        keys.add(recordKey(projectId, backup.id()));
        backup.dump().chunks().forEach(chunk -> keys.add(chunkKey(projectId, chunk)));
        backup.files().forEach(file -> keys.add(fileKey(projectId, file.sha256())));
        Path piece = work.resolve("verified-piece");
        for (String key : new java.util.LinkedHashSet<>(keys)) {
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
        String scratchDatabase = projectId + "_verify_" + HexFormat.of().formatHex(randomBytes(3));
        try {
            Path dump = work.resolve("verified-dump.sql");
            try (OutputStream out = Files.newOutputStream(dump)) {
                writeDump(backup, out, work);
            }
            databases.restoreDump(scratchDatabase, dump);
            for (Map.Entry<String, Long> table : backup.rows().entrySet()) {
                long rows = ((Number) databases.query(scratchDatabase, "SELECT count(*) AS n FROM " + table.getKey(), List.of()).get(0).get("n")).longValue();
                if (rows != table.getValue()) {
                    problems.add("Table " + table.getKey() + " has " + rows + " rows restored, " + table.getValue() + " in the dump");
                }
            }
            Map<String, Object> modules = new TreeMap<>();
            databases.query(scratchDatabase, "SELECT name, latest_version FROM ir_module_module WHERE state = 'installed'", List.of())
                    .forEach(row -> modules.put(String.valueOf(row.get("name")), row.get("latest_version")));
            if (!modules.equals(new TreeMap<>((Map<?, ?>) backup.odooManifest().getOrDefault("modules", Map.of())))) {
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
                    + ((Map<?, ?>) backup.odooManifest().getOrDefault("modules", Map.of())).size() + " modules as dumped, " + keys.size() + " objects whole"
                    + (healed.isEmpty() ? "" : "; healed " + healed));
        }
        else {
            log.error("Backup {} of {} failed its verification: {}", backup.id(), projectId, problems);
            event(projectId, EventKind.BACKUP_VERIFICATION_FAILED, "Backup " + backup.id() + " failed its verification: " + String.join("; ", problems));
        }
        return verification;
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
        String key = recordKey(projectId, backupId);
        if (store.stat(key).isEmpty()) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No backup " + backupId + " of project " + projectId + "; list them with GET /api/projects/" + projectId + "/backups");
        }
        return read(key);
    }

    /**
     * Writes the backup as Odoo's database manager zips one ({@code odoo/service/db.py}
     * {@code dump_db}): {@code dump.sql} first, {@code manifest.json}, then {@code filestore/…}
     * unless left out. Every piece is checked against its checksum on the way.
     *
     * @throws StagehandException {@code CORRUPT_DATA} if a stored piece does not match its checksum
     */
    public void download(String projectId, String backupId, boolean withFilestore, OutputStream out)
    {
        Backup backup = get(projectId, backupId);
        event(projectId, EventKind.BACKUP_DOWNLOADED, "Backup " + backupId + " downloaded" + (withFilestore ? "" : " without its filestore"));
        Path work = scratchDirectory();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("dump.sql"));
            writeDump(backup, zip, work);
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("manifest.json"));
            zip.write(BackupCatalog.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(backup.odooManifest()));
            zip.closeEntry();
            if (withFilestore) {
                for (Backup.FileEntry file : backup.files()) {
                    zip.putNextEntry(new ZipEntry("filestore/" + file.path()));
                    Path piece = fetch(fileKey(projectId, file.sha256()), work);
                    Files.copy(piece, zip);
                    Files.delete(piece);
                    zip.closeEntry();
                }
            }
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot write backup " + backupId + " of " + projectId + ": " + e.getMessage(), e);
        }
        finally {
            Filestores.delete(work);
        }
    }

    /**
     * Restores a backup into production: every piece is fetched and checked first; an update
     * backup of production as it is is taken; then the serving build stops, the database and the
     * filestore are replaced, and it serves again. If the backup cannot be restored whole,
     * production is left as it was.
     *
     * @return the update backup taken before
     */
    public Backup restore(String projectId, String backupId)
    {
        Backup backup = get(projectId, backupId);
        String database = BuildNames.productionDatabaseName(projectId);
        Path work = scratchDirectory();
        Lock lock = locks.of(projectId).writeLock();
        lock.lock();
        try {
            Path dump = work.resolve("dump.sql");
            try (OutputStream out = Files.newOutputStream(dump)) {
                writeDump(backup, out, work);
            }
            Path incoming = work.resolve("filestore");
            Files.createDirectories(incoming);
            for (Backup.FileEntry file : backup.files()) {
                Path target = safeResolve(incoming, file.path());
                Files.createDirectories(target.getParent());
                Files.move(fetch(fileKey(projectId, file.sha256()), work), target, StandardCopyOption.REPLACE_EXISTING);
            }
            Backup before = create(projectId, BackupKind.UPDATE);
            Optional<Build> serving = production.serving(projectId);
            serving.ifPresent(build -> cleaner.removeContainers(build.id()));
            try {
                databases.replaceWithDump(database, dump);
            }
            catch (RuntimeException e) {
                serving.ifPresent(build -> production.serveAgain(build, "serving again: the restore of backup " + backupId + " failed"));
                throw e;
            }
            Path filestore = workspaces.productionData(projectId).resolve("filestore").resolve(database);
            Path replaced = filestore.resolveSibling(database + ".replaced");
            Filestores.delete(replaced);
            if (Files.exists(filestore)) {
                Files.move(filestore, replaced, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(incoming, filestore, StandardCopyOption.ATOMIC_MOVE);
            Filestores.delete(replaced);
            serving.ifPresent(build -> production.serveAgain(build, "serving backup " + backupId));
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
        Path work = scratchDirectory();
        try {
            Path zip = work.resolve(projectId + "_" + backupId + ".zip");
            try (OutputStream out = Files.newOutputStream(zip)) {
                download(projectId, backupId, true, out);
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
     * Imports a database into a staging or development branch's newest running build, as Odoo.sh's
     * "import database": a zip of Odoo's database manager ({@link OdooBackupArchive}, read as
     * hostile input) or a plain {@code .sql}. The database and filestore are replaced only once the
     * dump ran whole; then Odoo's own neutralization runs and the build serves it, its mail caught.
     * Progress goes to the build's import.log.
     *
     * @return the build, serving the imported database
     * @throws StagehandException {@code INVALID_ARGUMENT} for a file that is none of those, a refused
     *         zip, or a production branch; {@code NOT_FOUND} for a branch without a running build
     */
    public Build importInto(String projectId, String branchName, Path upload)
    {
        requireProject(projectId);
        var branch = projects.findBranch(projectId, branchName)
                .orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "No branch " + branchName + " in project " + projectId));
        if (branch.stage() == sh.stagehand.core.project.Stage.PRODUCTION) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Branch " + branchName + " is production: import into a staging branch, check it there, then restore a "
                    + "backup of it into production; an import never replaces production's data directly");
        }
        Build build = builds.listBuilds(projectId, branchName).stream()
                .filter(candidate -> candidate.state() == sh.stagehand.core.build.BuildState.RUNNING && candidate.databaseName().equals(candidate.instanceName()))
                .findFirst()
                .orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "Branch " + branchName + " of " + projectId + " has no running build to import into; push to it first"));
        Path work = scratchDirectory();
        importLog(build, "Importing " + upload.getFileName() + " (" + bytes(sizeOf(upload)) + ") into build " + build.id() + " (" + build.databaseName() + ")");
        try {
            Path dump;
            Path filestore;
            String format = format(upload);
            if (format.equals("zip")) {
                importLog(build, "Checking and extracting the zip");
                OdooBackupArchive.Extracted extracted = OdooBackupArchive.extract(upload, work, importLimits, OdooVersion.DEFAULT_SERIES);
                extracted.manifest().ifPresent(manifest -> importLog(build, "manifest.json: database " + manifest.get("db_name") + " of Odoo " + manifest.get("major_version")
                        + ", " + ((Map<?, ?>) manifest.getOrDefault("modules", Map.of())).size() + " modules"));
                dump = extracted.dump();
                filestore = extracted.filestore();
            }
            else {
                dump = upload;
                filestore = Files.createDirectories(work.resolve("filestore"));
            }
            importLog(build, "Restoring the dump (" + bytes(sizeOf(dump)) + ") beside the build's database");
            cleaner.removeContainers(build.id());
            try {
                databases.replaceWithDump(build.databaseName(), dump);
            }
            catch (RuntimeException e) {
                importLog(build, "The dump does not restore; the build's database is as it was: " + e.getMessage());
                staging.serveAgain(build, "serving again: an import into it did not restore");
                throw e;
            }
            Path target = workspaces.data(build.id()).resolve("filestore").resolve(build.databaseName());
            Filestores.delete(target);
            Files.createDirectories(target.getParent());
            Files.move(filestore, target, StandardCopyOption.ATOMIC_MOVE);
            importLog(build, "Database and filestore replaced; neutralizing (neutralize.log)");
            Build serving = staging.neutralizeAndServe(build);
            importLog(build, "Done: the imported database is neutralized and served, its mail caught");
            event(projectId, EventKind.DATABASE_IMPORTED, "Imported " + upload.getFileName() + " into build " + build.id() + " of " + branchName + ", neutralized");
            return serving;
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot import " + upload.getFileName() + ": " + e, e);
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

    private static String format(Path upload)
            throws IOException
    {
        byte[] head = new byte[5];
        int read;
        try (InputStream in = Files.newInputStream(upload)) {
            read = in.readNBytes(head, 0, head.length);
        }
        if (read >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return "zip";
        }
        if (read == 5 && new String(head, java.nio.charset.StandardCharsets.US_ASCII).equals("PGDMP")) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, upload.getFileName() + " is a pg_dump custom-format file, which is not imported yet: "
                    + "make it plain SQL with pg_restore --no-owner -f dump.sql " + upload.getFileName() + ", or send Odoo's zip");
        }
        if (read > 0 && (head[0] == '-' || head[0] == 'S' || head[0] == '\\' || head[0] == '\n' || head[0] == 'C' || head[0] == 'B')) {
            return "sql";
        }
        throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, upload.getFileName() + " is none of a zip of Odoo's database manager, a plain .sql dump: "
                + "send what Odoo's database manager or Stagehand's backup download made");
    }

    private void importLog(Build build, String line)
    {
        logs.append(build.id(), LogName.IMPORT, "%s INFO %s stagehand.import: %s".formatted(java.time.format.DateTimeFormatter.ISO_INSTANT.format(clock.instant()), build.databaseName(), line));
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

    private List<Backup.FileEntry> storeFilestore(String projectId, Path filestore, Path work)
            throws IOException
    {
        List<Backup.FileEntry> files = new ArrayList<>();
        if (!Files.isDirectory(filestore)) {
            return files;
        }
        Files.walkFileTree(filestore, new SimpleFileVisitor<>()
        {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
                    throws IOException
            {
                if (!attributes.isRegularFile()) {
                    return FileVisitResult.CONTINUE;
                }
                String sha256;
                try (InputStream in = Files.newInputStream(file)) {
                    sha256 = sha256(in);
                }
                catch (NoSuchFileException e) {
                    // Odoo's garbage collection took it meanwhile.
                    return FileVisitResult.CONTINUE;
                }
                String key = fileKey(projectId, sha256);
                if (store.stat(key).isEmpty()) {
                    putEncoded(key, file, work);
                }
                files.add(new Backup.FileEntry(filestore.relativize(file).toString().replace('\\', '/'), attributes.size(), sha256));
                return FileVisitResult.CONTINUE;
            }
        });
        files.sort(Comparator.comparing(Backup.FileEntry::path));
        return files;
    }

    private Backup.Dump storeDump(String projectId, Path dump, Path work)
            throws IOException
    {
        MessageDigest whole = digest();
        List<String> chunks = new ArrayList<>();
        long size = 0;
        try (InputStream in = new DigestInputStream(new RestrictKeyFilter(Files.newInputStream(dump)), whole)) {
            ContentDefinedChunker chunker = new ContentDefinedChunker(in);
            byte[] chunk;
            while ((chunk = chunker.next()) != null) {
                String sha256 = HexFormat.of().formatHex(digest().digest(chunk));
                String key = chunkKey(projectId, sha256);
                if (store.stat(key).isEmpty()) {
                    Path piece = work.resolve("chunk");
                    Files.write(piece, chunk);
                    putEncoded(key, piece, work);
                    Files.delete(piece);
                }
                chunks.add(sha256);
                size += chunk.length;
            }
        }
        return new Backup.Dump(size, HexFormat.of().formatHex(whole.digest()), chunks);
    }

    private void writeDump(Backup backup, OutputStream out, Path work)
            throws IOException
    {
        MessageDigest whole = digest();
        OutputStream digesting = new DigestOutputStream(new NonClosing(out), whole);
        // As pg_dump 15.14+ writes a dump: psql takes no meta-command but this key's unrestrict from
        // it. A key of its own for each copy (the stored dump has none, or every day's would differ).
        String key = HexFormat.of().formatHex(randomBytes(24));
        out.write(("\\restrict " + key + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        for (String chunk : backup.dump().chunks()) {
            Path piece = fetch(chunkKey(backup.projectId(), chunk), work);
            Files.copy(piece, digesting);
            Files.delete(piece);
        }
        digesting.flush();
        if (!HexFormat.of().formatHex(whole.digest()).equals(backup.dump().sha256())) {
            throw new StagehandException(StandardErrorCode.CORRUPT_DATA, "The dump of backup " + backup.id() + " of " + backup.projectId() + " does not match its checksum once put together");
        }
        out.write(("\n\\unrestrict " + key + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    private static byte[] randomBytes(int count)
    {
        byte[] bytes = new byte[count];
        new java.security.SecureRandom().nextBytes(bytes);
        return bytes;
    }

    /**
     * Stores the bytes deflated when that saves a tenth or more (SQL does, a PDF or a JPEG does
     * not), saying so in the object's metadata; the key stays the SHA-256 of the bytes themselves.
     */
    private void putEncoded(String key, Path source, Path work)
            throws IOException
    {
        Path deflated = Files.createTempFile(work, "deflated-", "");
        try {
            try (InputStream in = Files.newInputStream(source);
                    OutputStream out = new DeflaterOutputStream(Files.newOutputStream(deflated), new Deflater(Deflater.BEST_SPEED), 64 * 1024)) {
                in.transferTo(out);
            }
            if (Files.size(deflated) < Files.size(source) * 9 / 10) {
                store.put(key, deflated, Map.of(ENCODING, DEFLATE));
            }
            else {
                store.put(key, source, Map.of());
            }
        }
        finally {
            Files.deleteIfExists(deflated);
        }
    }

    // The object's bytes as they were given, checked by the store against its checksum on the way.
    private Path fetch(String key, Path work)
            throws IOException
    {
        Path stored = Files.createTempFile(work, "piece-", "");
        StoredObject object = store.get(key, stored);
        if (!DEFLATE.equals(object.metadata().get(ENCODING))) {
            return stored;
        }
        Path inflated = Files.createTempFile(work, "piece-", "");
        try (InputStream in = new InflaterInputStream(Files.newInputStream(stored), new java.util.zip.Inflater(), 64 * 1024)) {
            Files.copy(in, inflated, StandardCopyOption.REPLACE_EXISTING);
        }
        finally {
            Files.delete(stored);
        }
        return inflated;
    }

    private Map<String, Object> odooManifest(String database)
    {
        Map<String, Object> modules = new TreeMap<>();
        for (Map<String, Object> row : databases.query(database, "SELECT name, latest_version FROM ir_module_module WHERE state = 'installed'", List.of())) {
            modules.put(String.valueOf(row.get("name")), row.get("latest_version"));
        }
        int serverVersion = Integer.parseInt(String.valueOf(databases.query(database, "SELECT current_setting('server_version_num') AS v", List.of()).get(0).get("v")));
        String series = OdooVersion.DEFAULT_SERIES;
        String[] parts = series.split("\\.");
        // As odoo/service/db.py dump_db_manifest writes it.
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("odoo_dump", "1");
        manifest.put("db_name", database);
        manifest.put("version", series);
        manifest.put("version_info", List.of(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), 0, "final", 0, ""));
        manifest.put("major_version", series);
        manifest.put("pg_version", "%d.%d".formatted(serverVersion / 100 / 100, serverVersion / 100 % 100));
        manifest.put("modules", modules);
        return manifest;
    }

    private Backup read(String key)
    {
        return catalog.read(key);
    }

    private String newId(String projectId, BackupKind kind)
    {
        String base = ID_TIME.format(clock.instant()) + "-" + kind.name().toLowerCase(Locale.ROOT);
        String id = base;
        for (int suffix = 2; store.stat(recordKey(projectId, id)).isPresent(); suffix++) {
            id = base + "-" + suffix;
        }
        return id;
    }

    private Path scratchDirectory()
    {
        try {
            Files.createDirectories(scratch);
            return Files.createTempDirectory(scratch, "work-");
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot create a scratch directory in " + scratch + ": " + e, e);
        }
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
        Path resolved = root.resolve(relative).normalize();
        if (!resolved.startsWith(root) || relative.startsWith("/")) {
            throw new StagehandException(StandardErrorCode.CORRUPT_DATA, "A backup names the filestore path '" + relative + "', which leaves the filestore; refusing it");
        }
        return resolved;
    }

    private static String recordKey(String projectId, String backupId)
    {
        return BackupCatalog.recordKey(projectId, backupId);
    }

    private static String verificationKey(String projectId, String backupId)
    {
        return "projects/" + projectId + "/verifications/" + backupId + ".json";
    }

    private static String chunkKey(String projectId, String sha256)
    {
        return BackupCatalog.chunkKey(projectId, sha256);
    }

    private static String fileKey(String projectId, String sha256)
    {
        return BackupCatalog.fileKey(projectId, sha256);
    }

    private static String sha256(InputStream in)
            throws IOException
    {
        MessageDigest digest = digest();
        byte[] buffer = new byte[64 * 1024];
        int read;
        while ((read = in.read(buffer)) > 0) {
            digest.update(buffer, 0, read);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest digest()
    {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java has SHA-256", e);
        }
    }

    private static String bytes(long count)
    {
        return count < 1024 * 1024 ? "%.1f kB".formatted(count / 1024.0) : "%.1f MB".formatted(count / (1024.0 * 1024));
    }

    // Lets a zip entry be written through a stream that must not close the zip.
    private static final class NonClosing
            extends java.io.FilterOutputStream
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
