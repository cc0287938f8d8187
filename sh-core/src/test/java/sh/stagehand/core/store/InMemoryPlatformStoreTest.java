package sh.stagehand.core.store;


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
