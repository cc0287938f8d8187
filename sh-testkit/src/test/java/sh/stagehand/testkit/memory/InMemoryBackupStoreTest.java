package sh.stagehand.testkit.memory;

import sh.stagehand.spi.backup.BackupStore;
import sh.stagehand.testkit.BaseBackupStoreContractTest;

import java.time.Clock;

class InMemoryBackupStoreTest
        extends BaseBackupStoreContractTest
{
    private final InMemoryBackupStore store = new InMemoryBackupStore(Clock.systemUTC());

    @Override
    protected BackupStore store()
    {
        return store;
    }

    @Override
    protected void corrupt(String key)
    {
        store.corrupt(key);
    }
}
