package sh.stagehand.core.backup;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import sh.stagehand.core.workspace.Filestores;
import sh.stagehand.spi.ProviderContext;
import sh.stagehand.spi.RandomSecrets;
import sh.stagehand.spi.Sha256;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.backup.BackupStore;
import sh.stagehand.spi.backup.StoredObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

import static java.util.Objects.requireNonNull;

/**
 * A project's backups in a {@link BackupStore}: the records ({@code projects/<p>/backups/<id>.json})
 * and the objects they are made of ({@code projects/<p>/chunks/…}, {@code projects/<p>/files/…}),
 * each stored once under the SHA-256 of its bytes, deflated where that pays.
 * Pruning deletes the records a {@link RetentionPolicy} does not keep, then every object no kept
 * record names: a kept backup never loses a piece. Callers keep backups from being made while a
 * project is pruned (its objects are written before its record). Thread-safe.
 */
@Singleton
public final class BackupCatalog
{
    static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new Jdk8Module())
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final String ENCODING = "encoding";
    private static final String DEFLATE = "deflate";

    private final BackupStore store;
    private final Path scratch;

    @Inject
    public BackupCatalog(BackupStore store, ProviderContext context)
    {
        this(store, context.dataDirectory().resolve("backup-scratch"));
    }

    public BackupCatalog(BackupStore store, Path scratch)
    {
        this.store = requireNonNull(store, "store is null");
        this.scratch = requireNonNull(scratch, "scratch is null");
    }

    /**
     * What a prune removed.
     */
    public record Pruned(List<String> backups, int objects)
    {
        public Pruned
        {
            backups = List.copyOf(requireNonNull(backups, "backups is null"));
        }
    }

    /**
     * @return the project's backups, newest first
     */
    public List<Backup> list(String projectId)
    {
        List<Backup> backups = new ArrayList<>();
        for (StoredObject object : store.list(prefix(projectId) + "backups/")) {
            backups.add(read(object.key()));
        }
        backups.sort(Comparator.comparing(Backup::createdAt).thenComparing(Backup::id).reversed());
        return backups;
    }

    public Backup read(String key)
    {
        Path work = newWorkDirectory();
        try {
            Path record = work.resolve("backup.json");
            store.get(key, record);
            return JSON.readValue(record.toFile(), Backup.class);
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.CORRUPT_DATA, "Cannot read the backup record " + key + ": " + e.getMessage(), e);
        }
        finally {
            Filestores.delete(work);
        }
    }

    /**
     * Writes the record of a backup whose objects are all stored already.
     */
    public void write(Backup backup)
    {
        Path work = newWorkDirectory();
        try {
            Path record = work.resolve("backup.json");
            JSON.writeValue(record.toFile(), backup);
            store.put(recordKey(backup.projectId(), backup.id()), record, Map.of("kind", backup.kind().name(), "created-at", backup.createdAt().toString()));
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot write the record of backup " + backup.id() + ": " + e, e);
        }
        finally {
            Filestores.delete(work);
        }
    }

    /**
     * Deletes the backups the policy does not keep, then the objects no kept backup needs.
     */
    public Pruned prune(String projectId, RetentionPolicy policy, Instant now)
    {
        List<Backup> backups = list(projectId);
        Set<String> kept = policy.keep(backups, now).keySet();
        List<String> deleted = new ArrayList<>();
        Set<String> needed = new HashSet<>();
        for (Backup backup : backups) {
            if (kept.contains(backup.id())) {
                needed.addAll(objectKeys(backup));
            }
            else {
                store.delete(recordKey(projectId, backup.id()));
                store.delete(prefix(projectId) + "verifications/" + backup.id() + ".json");
                deleted.add(backup.id());
            }
        }
        int objects = 0;
        for (String kind : List.of("chunks/", "files/")) {
            for (StoredObject object : store.list(prefix(projectId) + kind)) {
                if (!needed.contains(object.key())) {
                    store.delete(object.key());
                    objects++;
                }
            }
        }
        return new Pruned(deleted, objects);
    }

    /**
     * The keys of the objects a backup is made of, its record excepted: the chunks of its dump and
     * of its logs, its filestore and session files.
     */
    public static Set<String> objectKeys(Backup backup)
    {
        String projectId = backup.projectId();
        Set<String> keys = new LinkedHashSet<>();
        backup.dump().chunks().forEach(chunk -> keys.add(chunkKey(projectId, chunk)));
        backup.logs().values().forEach(log -> log.chunks().forEach(chunk -> keys.add(chunkKey(projectId, chunk))));
        backup.files().forEach(file -> keys.add(fileKey(projectId, file.sha256())));
        backup.sessions().forEach(file -> keys.add(fileKey(projectId, file.sha256())));
        return keys;
    }

    /**
     * Stores a piece under its key (the SHA-256 of its bytes), deflated when that saves a tenth or
     * more (SQL does, a PDF or a JPEG does not), saying so in the object's metadata.
     */
    void putEncoded(String key, Path source, Path work)
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

    /**
     * The piece's bytes as they were given, in a new file under {@code work}, checked by the store
     * against its checksum on the way.
     */
    public Path fetch(String key, Path work)
            throws IOException
    {
        Path stored = Files.createTempFile(work, "piece-", "");
        StoredObject object = store.get(key, stored);
        if (!DEFLATE.equals(object.metadata().get(ENCODING))) {
            return stored;
        }
        Path inflated = Files.createTempFile(work, "piece-", "");
        try (InputStream in = new InflaterInputStream(Files.newInputStream(stored), new Inflater(), 64 * 1024)) {
            Files.copy(in, inflated, StandardCopyOption.REPLACE_EXISTING);
        }
        finally {
            Files.delete(stored);
        }
        return inflated;
    }

    /**
     * Writes chunked content back together, checking it against its checksum; {@code out} is
     * left open.
     *
     * @throws StagehandException {@code CORRUPT_DATA} if it does not match
     */
    public void writeChunked(String projectId, Backup.Chunked content, OutputStream out, Path work, String what)
            throws IOException
    {
        MessageDigest whole = Sha256.newDigest();
        OutputStream digesting = new DigestOutputStream(out, whole);
        for (String chunk : content.chunks()) {
            Path piece = fetch(chunkKey(projectId, chunk), work);
            Files.copy(piece, digesting);
            Files.delete(piece);
        }
        digesting.flush();
        if (!Sha256.hex(whole).equals(content.sha256())) {
            throw new StagehandException(StandardErrorCode.CORRUPT_DATA, what + " does not match its checksum once put together");
        }
    }

    /**
     * Writes a backup's dump as pg_dump 15.14+ writes one: psql takes no meta-command from it but
     * its key's unrestrict. A key of its own for each copy (the stored dump has none, or every
     * day's would differ). {@code out} is left open.
     */
    public void writeDump(Backup backup, OutputStream out, Path work)
            throws IOException
    {
        String hex = RandomSecrets.randomHex(24);
        out.write(("\\restrict " + hex + "\n").getBytes(StandardCharsets.US_ASCII));
        writeChunked(backup.projectId(), backup.dump(), out, work, "The dump of backup " + backup.id() + " of " + backup.projectId());
        out.write(("\n\\unrestrict " + hex + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    public void writeDump(Backup backup, Path target, Path work)
            throws IOException
    {
        try (OutputStream out = Files.newOutputStream(target)) {
            writeDump(backup, out, work);
        }
    }

    /**
     * A record kept beside the backups (a verification, …), as JSON, with the store's metadata.
     */
    public void putRecord(String key, Object record, Map<String, String> metadata)
    {
        Path work = newWorkDirectory();
        try {
            Path file = work.resolve("record.json");
            JSON.writeValue(file.toFile(), record);
            store.put(key, file, metadata);
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot keep " + key + ": " + e, e);
        }
        finally {
            Filestores.delete(work);
        }
    }

    /**
     * @return the record kept under the key, if there is one
     * @throws StagehandException {@code CORRUPT_DATA} if it is not a {@code type}
     */
    public <T> Optional<T> readRecord(String key, Class<T> type)
    {
        if (store.stat(key).isEmpty()) {
            return Optional.empty();
        }
        Path work = newWorkDirectory();
        try {
            Path file = work.resolve("record.json");
            store.get(key, file);
            return Optional.of(JSON.readValue(file.toFile(), type));
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.CORRUPT_DATA, "Cannot read " + key + ": " + e.getMessage(), e);
        }
        finally {
            Filestores.delete(work);
        }
    }

    /**
     * Odoo's {@code manifest.json} of a backup, as its database manager writes it.
     */
    public static byte[] manifestJson(Backup backup)
    {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(backup.odooManifest());
        }
        catch (IOException e) {
            throw new IllegalStateException("A manifest of JSON values is JSON", e);
        }
    }

    /**
     * A JSON mapper as the catalog's records are written: Java's time and optional types, dates as
     * ISO-8601 text, unknown properties ignored (what a newer platform wrote still reads).
     */
    public static ObjectMapper jsonMapper()
    {
        return JSON.copy();
    }

    /**
     * A size for people: {@code 12.3 kB} below a megabyte, else {@code 4.5 MB}.
     */
    public static String bytes(long count)
    {
        return count < 1024 * 1024 ? "%.1f kB".formatted(count / 1024.0) : "%.1f MB".formatted(count / (1024.0 * 1024));
    }

    /**
     * Deletes every scratch directory: what a stopped platform left.
     */
    public void deleteScratch()
    {
        Filestores.delete(scratch);
    }

    /**
     * A new scratch directory for backup work; the caller deletes it.
     */
    public Path newWorkDirectory()
    {
        try {
            Files.createDirectories(scratch);
            return Files.createTempDirectory(scratch, "work-");
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot create a scratch directory in " + scratch + ": " + e, e);
        }
    }

    private static String prefix(String projectId)
    {
        return "projects/" + projectId + "/";
    }

    public static String recordKey(String projectId, String backupId)
    {
        return prefix(projectId) + "backups/" + backupId + ".json";
    }

    public static String chunkKey(String projectId, String sha256)
    {
        return prefix(projectId) + "chunks/" + sha256;
    }

    public static String fileKey(String projectId, String sha256)
    {
        return prefix(projectId) + "files/" + sha256;
    }
}
