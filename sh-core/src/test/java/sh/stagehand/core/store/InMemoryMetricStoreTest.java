package sh.stagehand.core.store;

class InMemoryMetricStoreTest
        extends BaseMetricStoreContractTest
{
    private final InMemoryMetricStore store = new InMemoryMetricStore();

    @Override
    protected MetricStore store()
    {
        return store;
    }
}
