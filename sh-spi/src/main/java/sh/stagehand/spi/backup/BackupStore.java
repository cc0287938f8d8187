package sh.stagehand.spi.backup;

import sh.stagehand.spi.StagehandException;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An object store for backups. Keys follow {@link BackupKeys}. Objects are written whole or not at
 * all: a reader never sees a partly written object, and a failed {@link #put} leaves no object.
 *
 * <p>Implementations are thread-safe.
 */
public interface BackupStore
        extends AutoCloseable
{
    /**
     * Stores the file's bytes under {@code key}, replacing any object of that key, and computes its
     * SHA-256.
     *
     * @throws StagehandException {@code INVALID_ARGUMENT} for a bad key; {@code NOT_FOUND} if
     *         {@code source} does not exist
     */
    StoredObject put(String key, Path source, Map<String, String> metadata);

    /**
     * @return what the store knows of the object, or empty if there is none
     */
    Optional<StoredObject> stat(String key);

    /**
     * Copies the object's bytes to {@code target} (replacing it) and checks them against the
     * stored SHA-256 on the way.
     *
     * @return what the store knows of the object
     * @throws StagehandException {@code NOT_FOUND}; {@code CORRUPT_DATA} if the bytes do not match
     *         their checksum, in which case {@code target} is left absent
     */
    StoredObject get(String key, Path target);

    /**
     * @return the objects whose key starts with {@code prefix}, sorted by key
     */
    List<StoredObject> list(String prefix);

    /**
     * Idempotent.
     *
     * @return whether an object was deleted
     */
    boolean delete(String key);

    @Override
    void close();
}
