package sh.stagehand.postgres;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import sh.stagehand.testkit.BasePlatformStoreContractTest;
import sh.stagehand.testkit.TestingPostgres;

import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The PostgreSQL store passes the platform store contract; its own migrations are checked here.
 */
class PostgresPlatformStoreIT
        extends BasePlatformStoreContractTest<PostgresPlatformStore>
{
    @RegisterExtension
    static final TestingPostgres postgres = new TestingPostgres();

    private static final String METADATA_DATABASE = "meta_" + UUID.randomUUID().toString().substring(0, 8);
    private static PostgresPlatformStore store;

    @BeforeAll
    static void createStore()
    {
        store = new PostgresPlatformStore(config());
    }

    @AfterAll
    static void closeStore()
    {
        if (store != null) {
            store.close();
        }
        postgres.execute("DROP DATABASE IF EXISTS \"" + METADATA_DATABASE + "\" WITH (FORCE)");
    }

    @Test
    void testCreatesMetadataDatabaseAndMigratesOnce()
    {
        String migrations = postgres.queryForString(METADATA_DATABASE, "SELECT string_agg(version, ',' ORDER BY installed_rank) FROM flyway_schema_history WHERE success");
        assertThat(migrations).isEqualTo("1,2,3,4,5,6,7,8");
        // A second store on the same database finds it migrated.
        new PostgresPlatformStore(config()).close();
        assertThat(postgres.queryForString(METADATA_DATABASE, "SELECT string_agg(version, ',' ORDER BY installed_rank) FROM flyway_schema_history WHERE success")).isEqualTo(migrations);
    }

    @Override
    protected PostgresPlatformStore store()
    {
        return store;
    }

    private static PostgresConfig config()
    {
        return PostgresConfig.fromMap(Map.of(
                "postgres.url", postgres.jdbcUrl("postgres"),
                "postgres.user", postgres.user(),
                "postgres.password", postgres.password(),
                "postgres.metadata-database", METADATA_DATABASE));
    }
}
