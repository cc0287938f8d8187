package sh.stagehand.testkit;

import sh.stagehand.core.store.InMemoryPlatformStore;

class InMemoryPlatformStoreTest
        extends BasePlatformStoreContractTest<InMemoryPlatformStore>
{
    private final InMemoryPlatformStore store = new InMemoryPlatformStore();

    @Override
    protected InMemoryPlatformStore store()
    {
        return store;
    }
}
