package sh.stagehand.core.backup;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import sh.stagehand.spi.backup.BackupStore;
import sh.stagehand.spi.backup.StoredObject;
import sh.stagehand.testkit.BaseBackupStoreContractTest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FilesystemBackupStoreTest
        extends BaseBackupStoreContractTest
{
    private static Path directory;
    private static FilesystemBackupStore store;

    @BeforeAll
    static void createStore()
            throws IOException
    {
        directory = Files.createTempDirectory("stagehand-backups");
        store = new FilesystemBackupStore(directory, Clock.systemUTC());
    }

    @AfterAll
    static void closeStore()
    {
        store.close();
    }

    @Override
    protected BackupStore store()
    {
        return store;
    }

    @Override
    protected void corrupt(String key)
            throws IOException
    {
        Path blob = store.blobPath(store.stat(key).orElseThrow().sha256());
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(blob, bytes);
    }

    @Test
    void testIdenticalContentIsStoredOnceAndKeptUntilItsLastKeyIsDeleted()
            throws IOException
    {
        Path source = Files.writeString(temp.resolve("filestore.tar"), "the same filestore, day after day");
        StoredObject monday = store.put("dedup/monday.tar", source, Map.of());
        StoredObject tuesday = store.put("dedup/tuesday.tar", source, Map.of());

        assertThat(tuesday.sha256()).isEqualTo(monday.sha256());
        assertThat(store.delete("dedup/monday.tar")).isTrue();
        assertThat(store.blobPath(monday.sha256())).exists();
        store.get("dedup/tuesday.tar", temp.resolve("out"));
        assertThat(temp.resolve("out")).hasContent("the same filestore, day after day");

        assertThat(store.delete("dedup/tuesday.tar")).isTrue();
        assertThat(store.blobPath(monday.sha256())).doesNotExist();
    }
}
