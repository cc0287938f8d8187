package sh.stagehand.store.postgres;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import sh.stagehand.core.store.BaseMetricStoreContractTest;
import sh.stagehand.core.store.MetricStore;
import sh.stagehand.postgres.PostgresConfig;
import sh.stagehand.testkit.TestingPostgres;

import java.util.Map;
import java.util.UUID;

/**
 * The builds' samples in the metadata database pass the metric store contract.
 */
class PostgresMetricStoreIT
        extends BaseMetricStoreContractTest
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();

    private static final String METADATA_DATABASE = "meta_" + UUID.randomUUID().toString().substring(0, 8);
    private static PostgresPlatformStore platformStore;
    private static PostgresMetricStore store;

    @BeforeAll
    static void createStore()
    {
        platformStore = new PostgresPlatformStore(PostgresConfig.fromMap(Map.of(
                "postgres.url", postgres.jdbcUrl("postgres"),
                "postgres.user", postgres.user(),
                "postgres.password", postgres.password(),
                "postgres.metadata-database", METADATA_DATABASE)), TestingSecrets.secretBox());
        store = new PostgresMetricStore(platformStore.metadata());
    }

    @AfterAll
    static void closeStore()
    {
        if (platformStore != null) {
            platformStore.close();
        }
        postgres.execute("DROP DATABASE IF EXISTS \"" + METADATA_DATABASE + "\" WITH (FORCE)");
    }

    @Override
    protected MetricStore store()
    {
        return store;
    }
}
