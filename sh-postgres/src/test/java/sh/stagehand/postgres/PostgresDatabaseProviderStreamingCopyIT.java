package sh.stagehand.postgres;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.testkit.BasePostgresDatabaseProviderContractTest;
import sh.stagehand.testkit.TestingPostgres;

import java.util.Map;

/**
 * The contract again with {@code postgres.copy-jobs=1}: a copy streams pg_dump into pg_restore.
 */
class PostgresDatabaseProviderStreamingCopyIT
        extends BasePostgresDatabaseProviderContractTest
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();

    private static PostgresDatabaseProvider provider;

    @BeforeAll
    static void createProvider()
    {
        provider = new PostgresDatabaseProvider(PostgresConfig.fromMap(Map.of(
                "postgres.url", postgres.jdbcUrl("postgres"),
                "postgres.user", postgres.user(),
                "postgres.password", postgres.password(),
                "postgres.container-host", postgres.containerHost(),
                "postgres.copy-jobs", "1")));
    }

    @AfterAll
    static void closeProvider()
    {
        if (provider != null) {
            provider.close();
        }
    }

    @Override
    protected DatabaseProvider provider()
    {
        return provider;
    }
}
