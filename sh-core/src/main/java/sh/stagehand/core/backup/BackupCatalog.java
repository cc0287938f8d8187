package sh.stagehand.core.backup;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import sh.stagehand.core.pipeline.Filestores;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.backup.BackupStore;
import sh.stagehand.spi.backup.StoredObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * A project's backups in a {@link BackupStore}: the records ({@code projects/<p>/backups/<id>.json})
 * and the objects they are made of ({@code projects/<p>/chunks/…}, {@code projects/<p>/files/…}).
 * Pruning deletes the records a {@link RetentionPolicy} does not keep, then every object no kept
 * record names: a kept backup never loses a piece. Callers keep backups from being made while a
 * project is pruned (its objects are written before its record). Thread-safe.
 */
public final class BackupCatalog
{
    static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new Jdk8Module())
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final BackupStore store;
    private final Path scratch;

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
        Path work = scratchDirectory();
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
        Path work = scratchDirectory();
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
                backup.dump().chunks().forEach(chunk -> needed.add(chunkKey(projectId, chunk)));
                backup.files().forEach(file -> needed.add(fileKey(projectId, file.sha256())));
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

    private Path scratchDirectory()
    {
        try {
            Files.createDirectories(scratch);
            return Files.createTempDirectory(scratch, "catalog-");
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
