package sh.stagehand.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.spi.Sha256;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.backup.BackupStore;
import sh.stagehand.spi.backup.StoredObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link BackupStore} must do.
 */
public abstract class BaseBackupStoreContractTest
{
    @TempDir
    protected Path temp;

    private final String prefix = "contract-" + UUID.randomUUID().toString().substring(0, 8) + "/";

    /** The store under test; the same instance for every test of one class. */
    protected abstract BackupStore store();

    /**
     * Changes the stored bytes of {@code key} behind the store's back, as a failing disk would.
     */
    protected abstract void corrupt(String key)
            throws IOException;

    @Test
    public void testStoresAndReturnsBytesWithChecksum()
            throws IOException
    {
        byte[] content = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(content);
        Path source = Files.write(temp.resolve("dump.zip"), content);

        StoredObject stored = store().put(prefix + "daily/2026-11-24.zip", source, Map.of("database", "acme-main", "kind", "daily"));

        assertThat(stored.key()).isEqualTo(prefix + "daily/2026-11-24.zip");
        assertThat(stored.sizeBytes()).isEqualTo(content.length);
        assertThat(stored.sha256()).isEqualTo(Sha256.hex(content));
        assertThat(stored.metadata()).containsExactlyInAnyOrderEntriesOf(Map.of("database", "acme-main", "kind", "daily"));
        assertThat(store().stat(prefix + "daily/2026-11-24.zip")).contains(stored);

        Path target = temp.resolve("restored.zip");
        assertThat(store().get(prefix + "daily/2026-11-24.zip", target)).isEqualTo(stored);
        assertThat(Files.readAllBytes(target)).isEqualTo(content);
    }

    @Test
    public void testReplacesObjectOfSameKey()
            throws IOException
    {
        store().put(prefix + "manual.zip", Files.writeString(temp.resolve("one"), "one"), Map.of());
        StoredObject second = store().put(prefix + "manual.zip", Files.writeString(temp.resolve("two"), "second"), Map.of("v", "2"));

        assertThat(store().stat(prefix + "manual.zip")).contains(second);
        store().get(prefix + "manual.zip", temp.resolve("out"));
        assertThat(temp.resolve("out")).hasContent("second");
    }

    @Test
    public void testListsByPrefixSortedByKey()
            throws IOException
    {
        Path source = Files.writeString(temp.resolve("x"), "x");
        store().put(prefix + "weekly/b.zip", source, Map.of());
        store().put(prefix + "daily/b.zip", source, Map.of());
        store().put(prefix + "daily/a.zip", source, Map.of());

        assertThat(store().list(prefix + "daily/")).extracting(StoredObject::key)
                .containsExactly(prefix + "daily/a.zip", prefix + "daily/b.zip");
        assertThat(store().list(prefix)).extracting(StoredObject::key)
                .containsExactly(prefix + "daily/a.zip", prefix + "daily/b.zip", prefix + "weekly/b.zip");
        assertThat(store().list(prefix + "monthly/")).isEmpty();
    }

    @Test
    public void testDeleteIsIdempotent()
            throws IOException
    {
        store().put(prefix + "gone.zip", Files.writeString(temp.resolve("x"), "x"), Map.of());
        assertThat(store().delete(prefix + "gone.zip")).isTrue();
        assertThat(store().delete(prefix + "gone.zip")).isFalse();
        assertThat(store().stat(prefix + "gone.zip")).isEmpty();
        assertThatThrownBy(() -> store().get(prefix + "gone.zip", temp.resolve("out")))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.NOT_FOUND.toErrorCode()));
    }

    @Test
    public void testDetectsCorruptObject()
            throws IOException
    {
        store().put(prefix + "corrupt.zip", Files.writeString(temp.resolve("x"), "precious backup bytes"), Map.of());
        corrupt(prefix + "corrupt.zip");

        Path target = temp.resolve("restored");
        assertThatThrownBy(() -> store().get(prefix + "corrupt.zip", target))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.CORRUPT_DATA.toErrorCode()))
                .hasMessageContaining(prefix + "corrupt.zip");
        assertThat(target).doesNotExist();
    }

    @Test
    public void testRejectsBadKeysAndMissingSources()
    {
        for (String key : new String[] {"../escape.zip", "a//b", "/absolute", "a/./b", "with space", ""}) {
            assertThatThrownBy(() -> store().put(key, temp, Map.of()))
                    .as(key)
                    .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()));
        }
        assertThatThrownBy(() -> store().put(prefix + "missing.zip", temp.resolve("no-such-file"), Map.of()))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.NOT_FOUND.toErrorCode()));
        assertThat(store().stat(prefix + "missing.zip")).isEmpty();
    }
}
