package sh.stagehand.core.production;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.backup.Backup;
import sh.stagehand.core.backup.BackupCatalog;
import sh.stagehand.core.backup.ContainerDumpLoader;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.pipeline.BuildSteps;
import sh.stagehand.core.pipeline.ProductionPipeline;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.core.workspace.BuildWorkspaces;
import sh.stagehand.core.workspace.Filestores;
import sh.stagehand.core.workspace.ProductionLocks;
import sh.stagehand.spi.RandomSecrets;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseConnection;
import sh.stagehand.spi.database.DatabaseProvider;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static java.util.Objects.requireNonNull;

/**
 * Production's backups downloaded as Odoo's database manager zip, exact or neutralized (by Odoo's
 * own {@code odoo neutralize} in a scratch copy), with or without the filestore; and the logs kept
 * with a backup. Thread-safe.
 */
@Singleton
public final class BackupDownloads
{
    private static final Logger log = LoggerFactory.getLogger(BackupDownloads.class);

    private final ProductionBackups backups;
    private final BackupCatalog catalog;
    private final DatabaseProvider databases;
    private final ContainerDumpLoader loader;
    private final BuildWorkspaces workspaces;
    private final ProductionPipeline production;
    private final BuildSteps steps;
    private final ProductionLocks locks;

    @Inject
    public BackupDownloads(ProductionBackups backups, BackupCatalog catalog, DatabaseProvider databases, ContainerDumpLoader loader, BuildWorkspaces workspaces,
            ProductionPipeline production, BuildSteps steps, ProductionLocks locks)
    {
        this.backups = requireNonNull(backups, "backups is null");
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.databases = requireNonNull(databases, "databases is null");
        this.loader = requireNonNull(loader, "loader is null");
        this.workspaces = requireNonNull(workspaces, "workspaces is null");
        this.production = requireNonNull(production, "production is null");
        this.steps = requireNonNull(steps, "steps is null");
        this.locks = requireNonNull(locks, "locks is null");
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
            backups.event(backup.projectId(), EventKind.BACKUP_DOWNLOADED, "Backup " + backup.id() + " downloaded" + (options.neutralized() ? ", neutralized" : "")
                    + (options.withFilestore() ? "" : ", without its filestore"));
        }

        void writeZip(OutputStream out)
        {
            try (ZipOutputStream zip = new ZipOutputStream(out)) {
                zip.putNextEntry(new ZipEntry("dump.sql"));
                if (dump.isPresent()) {
                    Files.copy(dump.get(), zip);
                }
                else {
                    catalog.writeDump(backup, zip, work);
                }
                zip.closeEntry();
                zip.putNextEntry(new ZipEntry("manifest.json"));
                zip.write(BackupCatalog.manifestJson(backup));
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
        Backup backup = backups.get(projectId, backupId);
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
        String task = "download-" + RandomSecrets.randomHex(4);
        String copy = projectId + ProductionBackups.NEUTRALIZE_INFIX + RandomSecrets.randomHex(3);
        catalog.writeDump(backup, exact, work);
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
        Backup backup = backups.get(projectId, backupId);
        Backup.Chunked content = Optional.ofNullable(backup.logs().get(name.fileName())).orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND,
                "Backup " + backupId + " of " + projectId + " has no " + name.fileName() + "; it has " + (backup.logs().isEmpty() ? "no logs" : String.join(", ", backup.logs().keySet()))));
        Path work = catalog.newWorkDirectory();
        try {
            catalog.writeChunked(projectId, content, out, work, name.fileName() + " of backup " + backupId);
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot write " + name.fileName() + " of backup " + backupId + ": " + e.getMessage(), e);
        }
        finally {
            Filestores.delete(work);
        }
    }
}
