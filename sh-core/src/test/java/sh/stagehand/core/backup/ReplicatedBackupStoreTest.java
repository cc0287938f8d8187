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
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three local directories standing for three servers: the contract (an object corrupt on every
 * replica is refused), and healing (one replica's loss is made good from another).
 */
class ReplicatedBackupStoreTest
        extends BaseBackupStoreContractTest
{
    private static final Map<String, FilesystemBackupStore> replicas = new LinkedHashMap<>();
    private static ReplicatedBackupStore store;

    @BeforeAll
    static void createStore()
            throws IOException
    {
        for (String name : new String[] {"eu", "us", "asia"}) {
            replicas.put(name, new FilesystemBackupStore(Files.createTempDirectory("stagehand-replica-" + name), Clock.systemUTC()));
        }
        store = new ReplicatedBackupStore(new LinkedHashMap<>(replicas));
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
        for (FilesystemBackupStore replica : replicas.values()) {
            corrupt(replica, key);
        }
    }

    @Test
    void testWritesEveryReplicaAndHealsOneThatLostOrCorruptedAnObject()
            throws IOException
    {
        Path source = Files.writeString(temp.resolve("chunk"), "a piece of Monday's dump");
        StoredObject stored = store.put("heal/chunk", source, Map.of("kind", "daily"));
        for (FilesystemBackupStore replica : replicas.values()) {
            assertThat(replica.stat("heal/chunk")).hasValueSatisfying(object -> assertThat(object.sha256()).isEqualTo(stored.sha256()));
        }

        long healedBefore = store.healedObjects();
        corrupt(replicas.get("eu"), "heal/chunk");
        replicas.get("us").delete("heal/chunk");

        StoredObject read = store.get("heal/chunk", temp.resolve("read"));

        assertThat(Files.readString(temp.resolve("read"))).isEqualTo("a piece of Monday's dump");
        assertThat(read.sha256()).isEqualTo(stored.sha256());
        assertThat(store.healedObjects() - healedBefore).isEqualTo(2);
        for (FilesystemBackupStore replica : replicas.values()) {
            assertThat(replica.get("heal/chunk", temp.resolve("again")).sha256()).as("every replica whole again").isEqualTo(stored.sha256());
        }
    }

    private static void corrupt(FilesystemBackupStore replica, String key)
            throws IOException
    {
        Path blob = replica.blobPath(replica.stat(key).orElseThrow().sha256());
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(blob, bytes);
    }
}
