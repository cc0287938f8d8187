package sh.stagehand.core.backup;

import sh.stagehand.spi.ProviderFactory;
import sh.stagehand.spi.Sha256;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.backup.BackupKeys;
import sh.stagehand.spi.backup.BackupStore;
import sh.stagehand.spi.backup.StoredObject;
import sh.stagehand.spi.config.ConfigKey;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.config.ConfigType;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * A {@link BackupStore} in a directory. Object bytes are stored once per content, under their
 * SHA-256 ({@code blobs/ab/abcd…}), so that the daily backups of a database whose filestore barely
 * changes share their bytes; each key is a small properties file ({@code keys/<key>.properties})
 * naming its blob. A put writes the blob, then replaces the key file with one atomic rename: a
 * reader sees the old object or the new one, never half of either.
 *
 * <p>Thread-safe within one process. Two processes must not share a directory.
 */
public final class FilesystemBackupStore
        implements BackupStore
{
    /** {@code backup.type=filesystem}; its key is {@link #DIRECTORY}. */
    public static final String NAME = "filesystem";
    public static final ConfigKey<Path> DIRECTORY = ConfigKey.optional(NAME + ".directory", ConfigType.path(),
            "where backups are stored (default: backups in the platform's data directory)");
    private static final ConfigKeys KEYS = ConfigKeys.of("the filesystem backup store", DIRECTORY);
    public static final ProviderFactory<BackupStore> FACTORY = ProviderFactory.of(BackupStore.class, NAME, KEYS,
            (config, context) -> new FilesystemBackupStore(KEYS.read(config).optional(DIRECTORY).orElse(context.dataDirectory().resolve("backups")).toAbsolutePath(),
                    context.clock()));

    private static final String KEY_SUFFIX = ".properties";
    private static final String METADATA_PREFIX = "metadata.";

    private final Path keys;
    private final Path blobs;
    private final Path temporary;
    private final Clock clock;
    // Guards the link between key files and blobs: a delete must not remove a blob a concurrent put is linking to.
    private final Object linkLock = new Object();

    public FilesystemBackupStore(Path directory, Clock clock)
    {
        requireNonNull(directory, "directory is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.keys = directory.resolve("keys");
        this.blobs = directory.resolve("blobs");
        this.temporary = directory.resolve("tmp");
        try {
            Files.createDirectories(keys);
            Files.createDirectories(blobs);
            Files.createDirectories(temporary);
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, "Cannot create backup directory " + directory + ": " + e + "; point "
                    + DIRECTORY + " at a writable directory", e);
        }
    }

    @Override
    public StoredObject put(String key, Path source, Map<String, String> metadata)
    {
        BackupKeys.requireValid(key);
        requireNonNull(metadata, "metadata is null");
        if (!Files.isRegularFile(source)) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "Cannot store " + key + ": source file " + source + " does not exist");
        }
        try {
            Path staged = Files.createTempFile(temporary, "blob-", ".tmp");
            try {
                MessageDigest digest = Sha256.newDigest();
                long size;
                try (InputStream input = new DigestInputStream(Files.newInputStream(source), digest);
                        OutputStream output = Files.newOutputStream(staged)) {
                    size = input.transferTo(output);
                }
                String sha256 = Sha256.hex(digest);
                StoredObject stored = new StoredObject(key, size, sha256, clock.instant().truncatedTo(ChronoUnit.MILLIS), metadata);
                synchronized (linkLock) {
                    Path blob = blobPath(sha256);
                    // A blob already there is trusted only if it still holds these bytes: a put is
                    // also how a replica is healed.
                    if (!Files.exists(blob) || !holds(blob, size, sha256)) {
                        Files.createDirectories(blob.getParent());
                        moveAtomically(staged, blob);
                    }
                    writeKeyFile(stored);
                }
                return stored;
            }
            finally {
                Files.deleteIfExists(staged);
            }
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot store backup object " + key + " in " + keys.getParent() + ": " + e, e);
        }
    }

    private static boolean holds(Path blob, long size, String sha256)
            throws IOException
    {
        if (Files.size(blob) != size) {
            return false;
        }
        MessageDigest digest = Sha256.newDigest();
        try (InputStream input = new DigestInputStream(Files.newInputStream(blob), digest)) {
            input.transferTo(OutputStream.nullOutputStream());
        }
        return Sha256.hex(digest).equals(sha256);
    }

    @Override
    public Optional<StoredObject> stat(String key)
    {
        BackupKeys.requireValid(key);
        return readKeyFile(keyPath(key), key);
    }

    @Override
    public StoredObject get(String key, Path target)
    {
        StoredObject stored = stat(key).orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "No backup object " + key + " in " + keys.getParent()));
        Path blob = blobPath(stored.sha256());
        try {
            Path absoluteTarget = target.toAbsolutePath();
            Files.createDirectories(absoluteTarget.getParent());
            Path staged = Files.createTempFile(absoluteTarget.getParent(), ".restore-", ".tmp");
            try {
                MessageDigest digest = Sha256.newDigest();
                long size;
                try (InputStream input = new DigestInputStream(Files.newInputStream(blob), digest);
                        OutputStream output = Files.newOutputStream(staged)) {
                    size = input.transferTo(output);
                }
                String actual = Sha256.hex(digest);
                if (size != stored.sizeBytes() || !actual.equals(stored.sha256())) {
                    throw new StagehandException(StandardErrorCode.CORRUPT_DATA, "Backup object %s in %s is corrupt: expected %d bytes with SHA-256 %s, read %d bytes with SHA-256 %s; restore it from another replica"
                            .formatted(key, keys.getParent(), stored.sizeBytes(), stored.sha256(), size, actual));
                }
                moveAtomically(staged, absoluteTarget);
                return stored;
            }
            finally {
                Files.deleteIfExists(staged);
            }
        }
        catch (NoSuchFileException e) {
            throw new StagehandException(StandardErrorCode.CORRUPT_DATA, "Backup object " + key + " in " + keys.getParent() + " has lost its bytes (" + blob + " is missing); restore it from another replica", e);
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot read backup object " + key + " into " + target + ": " + e, e);
        }
    }

    @Override
    public List<StoredObject> list(String prefix)
    {
        requireNonNull(prefix, "prefix is null");
        try (Stream<Path> files = Files.walk(keys)) {
            return files.filter(path -> Files.isRegularFile(path) && path.getFileName().toString().endsWith(KEY_SUFFIX))
                    .map(path -> {
                        String relative = keys.relativize(path).toString().replace(path.getFileSystem().getSeparator(), "/");
                        return relative.substring(0, relative.length() - KEY_SUFFIX.length());
                    })
                    .filter(key -> key.startsWith(prefix))
                    .sorted()
                    .flatMap(key -> readKeyFile(keyPath(key), key).stream())
                    .toList();
        }
        catch (IOException | UncheckedIOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot list backup objects in " + keys + ": " + e, e);
        }
    }

    @Override
    public boolean delete(String key)
    {
        BackupKeys.requireValid(key);
        synchronized (linkLock) {
            Optional<StoredObject> stored = stat(key);
            try {
                if (!Files.deleteIfExists(keyPath(key))) {
                    return false;
                }
                String sha256 = stored.orElseThrow().sha256();
                if (list("").stream().noneMatch(other -> other.sha256().equals(sha256))) {
                    Files.deleteIfExists(blobPath(sha256));
                }
                return true;
            }
            catch (IOException e) {
                throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot delete backup object " + key + ": " + e, e);
            }
        }
    }

    /**
     * Where the bytes of a stored object live; for tests that damage them as a failing disk would.
     */
    public Path blobPath(String sha256)
    {
        return blobs.resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    @Override
    public void close() {}

    @Override
    public String toString()
    {
        return "FilesystemBackupStore[" + keys.getParent() + "]";
    }

    private Path keyPath(String key)
    {
        return keys.resolve(key + KEY_SUFFIX);
    }

    private void writeKeyFile(StoredObject stored)
            throws IOException
    {
        Properties properties = new Properties();
        properties.setProperty("size", Long.toString(stored.sizeBytes()));
        properties.setProperty("sha256", stored.sha256());
        properties.setProperty("stored-at", stored.storedAt().toString());
        stored.metadata().forEach((name, value) -> properties.setProperty(METADATA_PREFIX + name, value));
        Path keyFile = keyPath(stored.key());
        Files.createDirectories(keyFile.getParent());
        Path staged = Files.createTempFile(temporary, "key-", ".tmp");
        try {
            try (Writer writer = Files.newBufferedWriter(staged, StandardCharsets.UTF_8)) {
                properties.store(writer, null);
            }
            moveAtomically(staged, keyFile);
        }
        finally {
            Files.deleteIfExists(staged);
        }
    }

    private Optional<StoredObject> readKeyFile(Path keyFile, String key)
    {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(keyFile, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        catch (NoSuchFileException e) {
            return Optional.empty();
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot read backup object " + key + ": " + e, e);
        }
        try {
            Map<String, String> metadata = new HashMap<>();
            for (String name : properties.stringPropertyNames()) {
                if (name.startsWith(METADATA_PREFIX)) {
                    metadata.put(name.substring(METADATA_PREFIX.length()), properties.getProperty(name));
                }
            }
            return Optional.of(new StoredObject(key, Long.parseLong(properties.getProperty("size")), properties.getProperty("sha256"),
                    Instant.parse(properties.getProperty("stored-at")), metadata));
        }
        catch (RuntimeException e) {
            throw new StagehandException(StandardErrorCode.CORRUPT_DATA, "Backup object " + key + " has a damaged key file " + keyFile + ": " + e.getMessage(), e);
        }
    }

    private static void moveAtomically(Path source, Path target)
            throws IOException
    {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
