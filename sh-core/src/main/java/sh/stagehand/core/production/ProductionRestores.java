package sh.stagehand.core.production;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import sh.stagehand.core.backup.Backup;
import sh.stagehand.core.backup.BackupCatalog;
import sh.stagehand.core.backup.BackupKind;
import sh.stagehand.core.backup.BackupRecorder;
import sh.stagehand.core.backup.ContainerDumpLoader;
import sh.stagehand.core.backup.OdooBackupArchive;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildState;
import sh.stagehand.core.logs.BuildLogs;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.odoo.OdooVersion;
import sh.stagehand.core.pipeline.BuildCleaner;
import sh.stagehand.core.pipeline.ProductionPipeline;
import sh.stagehand.core.pipeline.StagingPipeline;
import sh.stagehand.core.project.Branch;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.core.workspace.BuildWorkspaces;
import sh.stagehand.core.workspace.Filestores;
import sh.stagehand.core.workspace.ProductionLocks;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.spi.database.DumpLoader;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Lock;

import static java.util.Objects.requireNonNull;

/**
 * What takes the place of a database: a backup restored into production (an update backup taken
 * first) or into a staging or development branch (neutralized), and a database imported, as
 * Odoo.sh's "import database", read as hostile input and checked whole before anything changes.
 * If what it brings cannot be restored whole, the database is left as it was. Thread-safe.
 */
@Singleton
public final class ProductionRestores
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
    private static final String PG_DUMP_COMPLETE = "-- PostgreSQL database dump complete";

    private final ProductionBackups backups;
    private final BackupDownloads downloads;
    private final BackupCatalog catalog;
    private final BackupRecorder recorder;
    private final DatabaseProvider databases;
    private final ContainerDumpLoader loader;
    private final ProjectStore projects;
    private final BuildStore builds;
    private final BuildWorkspaces workspaces;
    private final ProductionPipeline production;
    private final StagingPipeline staging;
    private final ProductionLocks locks;
    private final BuildCleaner cleaner;
    private final BuildLogs logs;
    private final ProductionReplacement replacement;
    private final OdooBackupArchive.Limits importLimits = OdooBackupArchive.Limits.DEFAULT;
    private final Clock clock;

    @Inject
    public ProductionRestores(ProductionBackups backups, BackupDownloads downloads, BackupCatalog catalog, BackupRecorder recorder, DatabaseProvider databases,
            ContainerDumpLoader loader, ProjectStore projects, BuildStore builds, BuildWorkspaces workspaces, ProductionPipeline production, StagingPipeline staging,
            ProductionLocks locks, BuildCleaner cleaner, BuildLogs logs, ProductionReplacement replacement, Clock clock)
    {
        this.backups = requireNonNull(backups, "backups is null");
        this.downloads = requireNonNull(downloads, "downloads is null");
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.recorder = requireNonNull(recorder, "recorder is null");
        this.databases = requireNonNull(databases, "databases is null");
        this.loader = requireNonNull(loader, "loader is null");
        this.projects = requireNonNull(projects, "projects is null");
        this.builds = requireNonNull(builds, "builds is null");
        this.workspaces = requireNonNull(workspaces, "workspaces is null");
        this.production = requireNonNull(production, "production is null");
        this.staging = requireNonNull(staging, "staging is null");
        this.locks = requireNonNull(locks, "locks is null");
        this.cleaner = requireNonNull(cleaner, "cleaner is null");
        this.logs = requireNonNull(logs, "logs is null");
        this.replacement = requireNonNull(replacement, "replacement is null");
        this.clock = requireNonNull(clock, "clock is null");
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
        Backup backup = backups.get(projectId, backupId);
        Path work = catalog.newWorkDirectory();
        Lock lock = locks.of(projectId).writeLock();
        lock.lock();
        try {
            ProductionReplacement.Stage stage = replacement.stage(projectId);
            catalog.writeDump(backup, stage.dump(), work);
            materialize(projectId, backup.files(), stage.filestore(), work);
            materialize(projectId, backup.sessions(), stage.sessions(), work);
            Optional<Build> serving = production.serving(projectId);
            Backup before = recorder.take(projectId, BackupKind.UPDATE, serving);
            replacement.apply(stage, "backup " + backupId, "", serving);
            backups.event(projectId, EventKind.BACKUP_RESTORED, "Backup " + backupId + " restored into production; what production held before is backup " + before.id());
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
        backups.get(projectId, backupId);
        Branch branch = requireBranch(projectId, branchName);
        if (branch.stage() == Stage.PRODUCTION) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Branch " + branchName + " is production: restore into it with POST /api/projects/" + projectId
                    + "/backups/" + backupId + "/restore");
        }
        Path work = catalog.newWorkDirectory();
        try {
            Path zip = work.resolve(projectId + "_" + backupId + ".zip");
            try (BackupDownloads.PreparedDownload download = downloads.prepareDownload(projectId, backupId, BackupDownloads.DownloadOptions.EXACT); OutputStream out = Files.newOutputStream(zip)) {
                download.writeZip(out);
            }
            Build serving = importInto(projectId, branchName, zip);
            backups.event(projectId, EventKind.BACKUP_RESTORED, "Backup " + backupId + " restored into " + branchName + " (build " + serving.id() + "), neutralized");
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
        backups.requireProject(projectId);
        Branch branch = requireBranch(projectId, branchName);
        Build build = branch.stage() == Stage.PRODUCTION
                ? servingProduction(projectId, branchName)
                : builds.listBuilds(projectId, branchName).stream()
                        .filter(candidate -> candidate.state() == BuildState.RUNNING && candidate.databaseName().equals(candidate.instanceName()))
                        .findFirst()
                        .orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "Branch " + branchName + " of " + projectId + " has no running build to import into; push to it first"));
        Path work = catalog.newWorkDirectory();
        importLog(build, "Importing " + upload.getFileName() + " (" + BackupCatalog.bytes(sizeOf(upload)) + ") into build " + build.id() + " (" + build.databaseName() + ")");
        try {
            Upload checked = readUpload(build, upload, work);
            Build serving = branch.stage() == Stage.PRODUCTION ? importIntoProduction(build, checked, upload) : importIntoBuild(build, checked);
            backups.event(projectId, EventKind.DATABASE_IMPORTED, "Imported " + upload.getFileName() + " into build " + serving.id() + " of " + branchName
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
        importLog(build, "Restoring the dump (" + BackupCatalog.bytes(sizeOf(upload.dump())) + ") beside the build's database");
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
            importLog(serving, "Update backup " + before.id() + " taken; restoring the dump (" + BackupCatalog.bytes(sizeOf(stage.dump())) + ") beside production's database");
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

    private Branch requireBranch(String projectId, String branchName)
    {
        return projects.findBranch(projectId, branchName)
                .orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "No branch " + branchName + " in project " + projectId));
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

    private static long sizeOf(Path file)
    {
        try {
            return Files.size(file);
        }
        catch (IOException e) {
            return -1;
        }
    }
}
