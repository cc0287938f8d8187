package sh.stagehand.core.backup;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.build.BuildNames;
import sh.stagehand.core.files.ContainerDirectory;
import sh.stagehand.core.logs.BuildLogs;
import sh.stagehand.core.logs.LogName;
import sh.stagehand.core.odoo.OdooVersion;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.Event;
import sh.stagehand.core.store.EventKind;
import sh.stagehand.core.workspace.BuildWorkspaces;
import sh.stagehand.core.workspace.Filestores;
import sh.stagehand.spi.Sha256;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.backup.BackupStore;
import sh.stagehand.spi.database.DatabaseProvider;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import static java.util.Objects.requireNonNull;

/**
 * Takes a backup of a project's production while it serves, into the {@link BackupCatalog}: the
 * dump ({@code pg_dump --no-owner}, cut into content-defined chunks), the filestore and the
 * server's sessions (each file once, by SHA-256), the serving build's logs (chunked, so a log that
 * only grew stores only its end), Odoo's manifest, then the record naming them all.
 *
 * <p>It takes no lock: the caller keeps production from being updated meanwhile
 * (the production floor's ProductionBackups for daily and manual backups, the production pipeline for the backup it
 * takes before an update, holding production's write lock). Thread-safe.
 */
@Singleton
public final class BackupRecorder
{
    private static final Logger log = LoggerFactory.getLogger(BackupRecorder.class);
    // Entries left out that a backup's record names; a container could make millions.
    private static final int MAX_LEFT_OUT_NAMED = 200;
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final MeterRegistry meters;
    private final BackupStore store;
    private final BackupCatalog catalog;
    private final DatabaseProvider databases;
    private final BuildWorkspaces workspaces;
    private final BuildLogs logs;
    private final BuildStore builds;
    private final Clock clock;
    // Ids chosen by backups being taken, whose records are not written yet.
    private final Set<String> reserved = ConcurrentHashMap.newKeySet();

    @Inject
    public BackupRecorder(BackupStore store, BackupCatalog catalog, DatabaseProvider databases, BuildWorkspaces workspaces, BuildLogs logs, BuildStore builds, MeterRegistry meters,
            Clock clock)
    {
        this.meters = requireNonNull(meters, "meters is null");
        this.store = requireNonNull(store, "store is null");
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.databases = requireNonNull(databases, "databases is null");
        this.workspaces = requireNonNull(workspaces, "workspaces is null");
        this.logs = requireNonNull(logs, "logs is null");
        this.builds = requireNonNull(builds, "builds is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * @param serving the build serving production now, whose revision and logs the backup records
     * @return the backup, its record written
     * @throws StagehandException {@code NOT_FOUND} if the project has no production database;
     *         {@code PROVIDER_ERROR} if it cannot be dumped or stored, and then no record is written
     */
    public Backup take(String projectId, BackupKind kind, Optional<Build> serving)
    {
        // stagehand.backup.duration{kind, outcome}: how long backups take, and how many fail.
        Timer.Sample started = Timer.start(meters);
        String outcome = "failed";
        try {
            Backup backup = record(projectId, kind, serving);
            outcome = "success";
            return backup;
        }
        finally {
            started.stop(Timer.builder("stagehand.backup.duration")
                    .description("production backups taken, by kind and outcome")
                    .tag("kind", kind.name().toLowerCase(Locale.ROOT))
                    .tag("outcome", outcome)
                    .register(meters));
        }
    }

    private Backup record(String projectId, BackupKind kind, Optional<Build> serving)
    {
        String database = BuildNames.productionDatabaseName(projectId);
        if (!databases.exists(database)) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "Project " + projectId + " has no production database yet; its first production build creates it");
        }
        Path work = catalog.newWorkDirectory();
        String id = reserveId(projectId, kind);
        try {
            Path dump = work.resolve("dump.sql");
            databases.dump(database, dump);
            ContainerDirectory data = workspaces.productionDataDirectory(projectId);
            List<String> leftOut = new ArrayList<>();
            List<Backup.FileEntry> files = storeFiles(projectId, data, Filestores.of(database), work, leftOut);
            List<Backup.FileEntry> sessions = storeFiles(projectId, data, "sessions", work, leftOut);
            Backup.Chunked chunks;
            // pg_dump 15.14+ writes a random key at the top of every dump, which would make every
            // first chunk new: stored without it, a fresh one put back on every copy.
            try (InputStream in = new RestrictKeyFilter(Files.newInputStream(dump))) {
                chunks = storeChunked(projectId, in, work);
            }
            Map<String, Backup.Chunked> buildLogs = new TreeMap<>();
            if (serving.isPresent()) {
                for (LogName name : LogName.values()) {
                    logs.flush(serving.get().id(), name);
                    Path file = logs.path(serving.get().id(), name);
                    if (Files.isRegularFile(file)) {
                        try (InputStream in = Files.newInputStream(file)) {
                            buildLogs.put(name.fileName(), storeChunked(projectId, in, work));
                        }
                    }
                }
            }
            Backup backup = new Backup(id, projectId, kind, clock.instant(), serving.map(Build::commitId), database, chunks, files, odooManifest(database), DumpCensus.rows(dump),
                    sessions, buildLogs, leftOut);
            catalog.write(backup);
            builds.appendEvent(new Event(0, projectId, serving.map(Build::branch), serving.map(Build::id), EventKind.BACKUP_CREATED,
                    "Backup %s (%s) of production%s: database dump %s in %d chunks, %d filestore files (%s), %d sessions, %d logs%s".formatted(
                            id, kind.name().toLowerCase(Locale.ROOT), serving.map(build -> " at " + BuildNames.shortCommit(build.commitId())).orElse(""), BackupCatalog.bytes(chunks.sizeBytes()),
                            chunks.chunks().size(), files.size(), BackupCatalog.bytes(backup.filestoreBytes()), sessions.size(), buildLogs.size(),
                            leftOut.isEmpty() ? "" : "; left out " + leftOut.size() + " entries of the data directory that are no regular files (a link is never followed): "
                                    + String.join(", ", leftOut.subList(0, Math.min(5, leftOut.size()))) + (leftOut.size() > 5 ? ", …" : "")),
                    clock.instant()));
            if (!leftOut.isEmpty()) {
                log.warn("Backup {} of {} left out what is no regular file in production's data directory: {}", id, projectId, leftOut);
            }
            log.info("Backup {} of {} taken", id, projectId);
            return backup;
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot back up production of " + projectId + ": " + e, e);
        }
        finally {
            reserved.remove(projectId + "/" + id);
            Filestores.delete(work);
        }
    }

    /**
     * The modules installed in a database, with their versions, as Odoo's manifest.json lists them.
     */
    public static Map<String, Object> installedModules(DatabaseProvider databases, String database)
    {
        Map<String, Object> modules = new TreeMap<>();
        for (Map<String, Object> row : databases.query(database, "SELECT name, latest_version FROM public.ir_module_module WHERE state = 'installed'", List.of())) {
            modules.put(String.valueOf(row.get("name")), row.get("latest_version"));
        }
        return modules;
    }

    // Each file read once, from the file opened without following links (its size the open file's),
    // and stored from what was read: whatever a container puts in its name's place meanwhile, a
    // link to a host file included, is never read. What is no regular file is left out, and noted.
    private List<Backup.FileEntry> storeFiles(String projectId, ContainerDirectory data, String directory, Path work, List<String> leftOut)
            throws IOException
    {
        List<Backup.FileEntry> files = new ArrayList<>();
        List<ContainerDirectory.LeftOut> skipped = data.readFiles(directory, (path, file) -> {
            if (!acceptableName(path)) {
                if (leftOut.size() < MAX_LEFT_OUT_NAMED) {
                    leftOut.add(new ContainerDirectory.LeftOut(directory + "/" + path, "a name Odoo never writes (a backslash or a control character)").toString());
                }
                return;
            }
            String sha256;
            try (InputStream in = file.newInputStream()) {
                sha256 = sha256(in);
            }
            long size = file.size();
            if (store.stat(BackupCatalog.fileKey(projectId, sha256)).isEmpty()) {
                // Stored from a copy of what the open file holds, hashed again: a file rewritten in
                // place since is stored under its own content's key, never another's.
                Path copy = work.resolve("file");
                try (InputStream in = file.newInputStream()) {
                    Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
                }
                try (InputStream in = Files.newInputStream(copy)) {
                    sha256 = sha256(in);
                }
                size = Files.size(copy);
                catalog.putEncoded(BackupCatalog.fileKey(projectId, sha256), copy, work);
                Files.delete(copy);
            }
            files.add(new Backup.FileEntry(path, size, sha256));
        });
        skipped.stream().limit(Math.max(0, MAX_LEFT_OUT_NAMED - leftOut.size())).forEach(entry -> leftOut.add(entry.toString()));
        files.sort(Comparator.comparing(Backup.FileEntry::path));
        return files;
    }

    // A zip entry's name, as the download writes it and an import reads it back: Odoo's database
    // manager and this platform's import refuse a backslash; a control character has no place in one.
    private static boolean acceptableName(String path)
    {
        return path.chars().noneMatch(character -> character == '\\' || character < 0x20 || character == 0x7f);
    }

    private Backup.Chunked storeChunked(String projectId, InputStream content, Path work)
            throws IOException
    {
        MessageDigest whole = Sha256.newDigest();
        List<String> chunks = new ArrayList<>();
        long size = 0;
        try (InputStream in = new DigestInputStream(content, whole)) {
            ContentDefinedChunker chunker = new ContentDefinedChunker(in);
            byte[] chunk;
            while ((chunk = chunker.next()) != null) {
                String sha256 = Sha256.hex(chunk);
                String key = BackupCatalog.chunkKey(projectId, sha256);
                if (store.stat(key).isEmpty()) {
                    Path piece = work.resolve("chunk");
                    Files.write(piece, chunk);
                    catalog.putEncoded(key, piece, work);
                    Files.delete(piece);
                }
                chunks.add(sha256);
                size += chunk.length;
            }
        }
        return new Backup.Chunked(size, Sha256.hex(whole), chunks);
    }

    private Map<String, Object> odooManifest(String database)
    {
        Map<String, Object> modules = installedModules(databases, database);
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

    // Unique among the project's backups, those being taken included.
    private String reserveId(String projectId, BackupKind kind)
    {
        String base = ID_TIME.format(clock.instant()) + "-" + kind.name().toLowerCase(Locale.ROOT);
        String id = base;
        for (int suffix = 2; store.stat(BackupCatalog.recordKey(projectId, id)).isPresent() || !reserved.add(projectId + "/" + id); suffix++) {
            id = base + "-" + suffix;
        }
        return id;
    }

    private static String sha256(InputStream in)
            throws IOException
    {
        MessageDigest digest = Sha256.newDigest();
        byte[] buffer = new byte[64 * 1024];
        int read;
        while ((read = in.read(buffer)) > 0) {
            digest.update(buffer, 0, read);
        }
        return Sha256.hex(digest);
    }
}
