package sh.stagehand.store.postgres;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import sh.stagehand.core.access.AccountStore;
import sh.stagehand.core.access.BaseAccountStoreContractTest;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.postgres.PostgresConfig;
import sh.stagehand.testkit.TestingPostgres;

import java.util.Map;
import java.util.UUID;

/**
 * The PostgreSQL account store passes the account store contract.
 */
class PostgresAccountStoreIT
        extends BaseAccountStoreContractTest
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();

    private static final String METADATA_DATABASE = "meta_" + UUID.randomUUID().toString().substring(0, 8);
    private static PostgresPlatformStore platform;
    private static PostgresAccountStore accounts;

    @BeforeAll
    static void createStore()
    {
        platform = new PostgresPlatformStore(PostgresConfig.fromMap(Map.of(
                "postgres.url", postgres.jdbcUrl("postgres"),
                "postgres.user", postgres.user(),
                "postgres.password", postgres.password(),
                "postgres.metadata-database", METADATA_DATABASE)), TestingSecrets.secretBox());
        accounts = new PostgresAccountStore(platform.metadata());
    }

    @AfterAll
    static void closeStore()
    {
        if (platform != null) {
            platform.close();
        }
        postgres.execute("DROP DATABASE IF EXISTS \"" + METADATA_DATABASE + "\" WITH (FORCE)");
    }

    @Override
    protected AccountStore accounts()
    {
        return accounts;
    }

    @Override
    protected ProjectStore projects()
    {
        return platform;
    }
}
