package sh.stagehand.spi.backup;

import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * What a {@link BackupStore} knows of one object.
 *
 * @param key the object's key
 * @param sizeBytes its length
 * @param sha256 lower-case hexadecimal SHA-256 of its bytes, computed by the store when written
 * @param storedAt when it was written
 * @param metadata small string attributes given when written
 */
public record StoredObject(String key, long sizeBytes, String sha256, Instant storedAt, Map<String, String> metadata)
{
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public StoredObject
    {
        requireNonNull(key, "key is null");
        requireNonNull(sha256, "sha256 is null");
        requireNonNull(storedAt, "storedAt is null");
        metadata = Map.copyOf(requireNonNull(metadata, "metadata is null"));
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("sizeBytes is negative: " + sizeBytes);
        }
        if (!SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("sha256 is not 64 lower-case hexadecimal digits: " + sha256);
        }
    }
}
