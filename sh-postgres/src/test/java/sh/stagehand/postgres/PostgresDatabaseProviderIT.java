package sh.stagehand.postgres;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.testkit.BasePostgresDatabaseProviderContractTest;
import sh.stagehand.testkit.TestingDumpLoader;
import sh.stagehand.testkit.TestingPostgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresDatabaseProviderIT
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
                // Copies in parallel through a dump directory; PostgresDatabaseProviderStreamingCopyIT streams.
                "postgres.copy-jobs", "2")));
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

    @Test
    void testCreatesOdooExtensionsAndCollation()
    {
        String name = "ext_" + UUID.randomUUID().toString().substring(0, 8);
        provider.create(name);
        try {
            assertThat(postgres.queryForString(name, "SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension WHERE extname IN ('pg_trgm', 'unaccent')"))
                    .as("as Odoo's database manager makes them: no unaccent Odoo would warn of, not being immutable")
                    .isEqualTo("pg_trgm");
            assertThat(postgres.queryForString(name, "SELECT datcollate FROM pg_database WHERE datname = current_database()")).isEqualTo("C");
            // Built from template0: nothing someone added to template1 leaks into build databases.
            assertThat(postgres.queryForString(name, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).isEqualTo("0");
        }
        finally {
            provider.drop(name);
        }
    }

    @Test
    void testAReplacementInterruptedAsItTookThePlaceIsFinishedByTheNextOne(@TempDir Path temp)
    {
        String name = "swap_" + UUID.randomUUID().toString().substring(0, 8);
        provider.create(name);
        try {
            provider.execute(name, "CREATE TABLE res_partner (name text); INSERT INTO res_partner VALUES ('before')", List.of());
            Path dump = temp.resolve("dump.sql");
            provider.dump(name, dump);
            provider.execute(name, "UPDATE res_partner SET name = 'restored'", List.of());
            // A platform stopped between setting the old database aside and renaming the restored
            // one into its place: no database of that name for a moment.
            postgres.execute("CREATE DATABASE \"" + name + "_incoming\" OWNER \"" + name + "\" TEMPLATE \"" + name + "\"");
            postgres.execute("ALTER DATABASE \"" + name + "\" RENAME TO \"" + name + "_replaced\"");
            assertThat(provider.exists(name)).isFalse();

            provider.replaceWithDump(name, TestingDumpLoader.of(dump), "");

            assertThat(provider.query(name, "SELECT string_agg(name, ',') AS names FROM res_partner", List.of())).containsExactly(Map.of("names", "before"));
            assertThat(provider.list(name)).containsExactly(name);
        }
        finally {
            provider.list(name).forEach(provider::drop);
        }
    }

    @Test
    void testTheTemporaryLoginOfAQueryLeavesNothingBehind()
    {
        String name = "login_" + UUID.randomUUID().toString().substring(0, 8);
        provider.create(name);
        try {
            // Tenant code that the platform's query reaches undoes the role the session acts as and
            // makes something, which then belongs to the login: it passes to the database's role.
            provider.execute(name, """
                    CREATE FUNCTION public.make_something() RETURNS int LANGUAGE plpgsql AS $$
                    BEGIN
                        RESET ROLE;
                        CREATE TABLE public.made_by_the_login (id int);
                        RETURN 1;
                    END $$;
                    CREATE VIEW public.ir_module_module AS SELECT public.make_something() AS made;
                    """, List.of());

            assertThat(provider.query(name, "SELECT made FROM public.ir_module_module", List.of())).containsExactly(Map.of("made", 1));

            assertThat(postgres.queryForString(name, "SELECT tableowner FROM pg_tables WHERE tablename = 'made_by_the_login'")).isEqualTo(name);
            assertThat(postgres.queryForString("postgres", "SELECT count(*) FROM pg_roles WHERE starts_with(rolname, 'stagehand$')"))
                    .as("no temporary login is left")
                    .isEqualTo("0");
        }
        finally {
            provider.drop(name);
        }
    }

    @Test
    void testTheRoleAReplacementIsLoadedAsKeepsNothingTheDumpGaveIt(@TempDir Path temp)
            throws Exception
    {
        String name = "handover_" + UUID.randomUUID().toString().substring(0, 8);
        String incoming = name + "_incoming";
        provider.create(name);
        try {
            // The dump gives its role a password of its own (committed at once, out of the load's
            // transaction), then waits; meanwhile the tenant logs
            // in with it to the maintenance database, where every role may, and makes itself
            // something there that would keep the role from being dropped.
            Path dump = temp.resolve("handover.sql");
            Files.writeString(dump, "ALTER ROLE CURRENT_USER PASSWORD 'known-to-the-tenant';\nCOMMIT;\nSELECT pg_sleep(3);\nCREATE TABLE kept (id int);\n");
            java.util.concurrent.CompletableFuture<java.sql.Connection> tenant = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    Thread.sleep(1500);
                    java.sql.Connection connection = java.sql.DriverManager.getConnection(postgres.jdbcUrl("postgres"), incoming, "known-to-the-tenant");
                    try (java.sql.Statement statement = connection.createStatement()) {
                        statement.execute("ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER GRANT SELECT ON TABLES TO PUBLIC");
                    }
                    return connection;
                }
                catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });

            provider.replaceWithDump(name, TestingDumpLoader.of(dump), "");

            try (java.sql.Connection kept = tenant.get()) {
                assertThat(kept.isValid(2)).as("the tenant's session as the loading role").isFalse();
            }
            assertThat(postgres.queryForString("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = '" + incoming + "'")).as("the loading role").isEqualTo("0");
            assertThatThrownBy(() -> java.sql.DriverManager.getConnection(postgres.jdbcUrl("postgres"), incoming, "known-to-the-tenant").close())
                    .isInstanceOf(java.sql.SQLException.class);
            assertThat(postgres.queryForString(name, "SELECT tableowner FROM pg_tables WHERE tablename = 'kept'")).isEqualTo(name);
        }
        finally {
            provider.drop(name);
        }
    }

    @Test
    void testADatabaseMadeAgainOverARoleLeftBehindTakesNothingOfIt()
    {
        String name = "again_" + UUID.randomUUID().toString().substring(0, 8);
        provider.create(name);
        try {
            // Its database dropped by hand, its role left with a setting of its own.
            postgres.execute("DROP DATABASE \"" + name + "\" WITH (FORCE)");
            postgres.execute("ALTER ROLE \"" + name + "\" SET statement_timeout = '1ms'");

            provider.create(name);

            assertThat(postgres.queryForString("postgres", "SELECT count(*) FROM pg_db_role_setting WHERE setrole = (SELECT oid FROM pg_roles WHERE rolname = '" + name + "')"))
                    .isEqualTo("0");
            assertThat(provider.query(name, "SELECT 1 AS one", List.of())).containsExactly(Map.of("one", 1));
        }
        finally {
            provider.drop(name);
        }
    }

    @Test
    void testUnreachableServerIsReportedPlainly()
    {
        assertThatThrownBy(() -> new PostgresDatabaseProvider(PostgresConfig.fromMap(Map.of(
                "postgres.url", "jdbc:postgresql://127.0.0.1:1/postgres?connectTimeout=2",
                "postgres.user", "nobody"))))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.PROVIDER_UNAVAILABLE.toErrorCode()))
                .hasMessageContaining("127.0.0.1:1")
                .hasMessageContaining("postgres.url");
    }
}
