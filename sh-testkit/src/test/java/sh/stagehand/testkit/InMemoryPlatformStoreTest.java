package sh.stagehand.testkit;

import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.InMemoryPlatformStore;
import sh.stagehand.core.store.ProjectStore;

class InMemoryPlatformStoreTest
        extends BasePlatformStoreContractTest
{
    private final InMemoryPlatformStore store = new InMemoryPlatformStore();

    @Override
    protected ProjectStore projects()
    {
        return store;
    }

    @Override
    protected BuildStore builds()
    {
        return store;
    }
}
