package sh.stagehand.testkit.memory;

import sh.stagehand.spi.Sha256;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.backup.BackupKeys;
import sh.stagehand.spi.backup.BackupStore;
import sh.stagehand.spi.backup.StoredObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

import static java.util.Objects.requireNonNull;

/**
 * A {@link BackupStore} in the JVM's memory. Thread-safe.
 */
public final class InMemoryBackupStore
        implements BackupStore
{
    private record Entry(StoredObject object, byte[] content) {}

    private final Map<String, Entry> objects = new ConcurrentSkipListMap<>();
    private final Clock clock;

    public InMemoryBackupStore(Clock clock)
    {
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public StoredObject put(String key, Path source, Map<String, String> metadata)
    {
        BackupKeys.requireValid(key);
        if (!Files.isRegularFile(source)) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No file " + source + " to store as " + key);
        }
        try {
            byte[] content = Files.readAllBytes(source);
            StoredObject object = new StoredObject(key, content.length, Sha256.hex(content), clock.instant(), Map.copyOf(metadata));
            objects.put(key, new Entry(object, content));
            return object;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Optional<StoredObject> stat(String key)
    {
        BackupKeys.requireValid(key);
        return Optional.ofNullable(objects.get(key)).map(Entry::object);
    }

    @Override
    public StoredObject get(String key, Path target)
    {
        BackupKeys.requireValid(key);
        Entry entry = objects.get(key);
        if (entry == null) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No object " + key);
        }
        if (!Sha256.hex(entry.content()).equals(entry.object().sha256())) {
            throw new StagehandException(StandardErrorCode.CORRUPT_DATA, "Object " + key + " does not match its SHA-256 " + entry.object().sha256());
        }
        try {
            Files.write(target, entry.content());
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entry.object();
    }

    @Override
    public List<StoredObject> list(String prefix)
    {
        return objects.values().stream().map(Entry::object).filter(object -> object.key().startsWith(prefix)).toList();
    }

    @Override
    public boolean delete(String key)
    {
        BackupKeys.requireValid(key);
        return objects.remove(key) != null;
    }

    /**
     * Flips a bit of a stored object, as a disk's rot does: its next read must notice.
     */
    public void corrupt(String key)
    {
        byte[] content = objects.get(key).content();
        content[content.length / 2] ^= 0x01;
    }

    @Override
    public void close()
    {
    }
}
