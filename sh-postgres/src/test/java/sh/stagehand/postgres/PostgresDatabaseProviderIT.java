package sh.stagehand.postgres;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.testkit.BaseDatabaseProviderContractTest;
import sh.stagehand.testkit.TestingDumpLoader;
import sh.stagehand.testkit.TestingPostgres;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresDatabaseProviderIT
        extends BaseDatabaseProviderContractTest
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
                    .isEqualTo("pg_trgm,unaccent");
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
