package sh.stagehand.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseConnection;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a {@link sh.stagehand.spi.database.DatabaseProvider} on PostgreSQL must do beyond {@link BaseDatabaseProviderContractTest}:
 * Odoo needs PostgreSQL, so these checks talk to the created databases over JDBC, with the
 * credentials the provider hands out. A database's content is a tenant's, hostile: what the
 * provider runs there, it runs with that tenant's privileges alone.
 */
public abstract class BasePostgresDatabaseProviderContractTest
        extends BaseDatabaseProviderContractTest
{
    @Override
    protected void writeMarker(String database, DatabaseConnection credentials, String value)
    {
        try (Connection connection = connect(database, credentials); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS public.contract_marker (value text)");
            statement.execute("DELETE FROM public.contract_marker");
            try (var insert = connection.prepareStatement("INSERT INTO public.contract_marker VALUES (?)")) {
                insert.setString(1, value);
                insert.execute();
            }
        }
        catch (SQLException e) {
            throw new AssertionError("Cannot write to " + database + " as " + credentials.user(), e);
        }
    }

    @Override
    protected String readMarker(String database, DatabaseConnection credentials)
    {
        try (Connection connection = connect(database, credentials); Statement statement = connection.createStatement()) {
            return single(statement, "SELECT value FROM public.contract_marker");
        }
        catch (SQLException e) {
            throw new AssertionError("Cannot read " + database + " as " + credentials.user(), e);
        }
    }

    @Test
    public void testCreatesUtf8DatabaseOwnedByARoleOfItsOwn()
            throws SQLException
    {
        String name = prefix + "main";
        assertThat(provider().exists(name)).isFalse();
        DatabaseConnection credentials = provider().create(name);
        assertThat(provider().exists(name)).isTrue();

        try (Connection connection = connect(name, credentials);
                Statement statement = connection.createStatement();
                ResultSet resultSet = statement.executeQuery(
                        "SELECT pg_encoding_to_char(encoding), pg_get_userbyid(datdba), current_user FROM pg_database WHERE datname = current_database()")) {
            assertThat(resultSet.next()).isTrue();
            assertThat(resultSet.getString(1)).isEqualTo("UTF8");
            assertThat(resultSet.getString(2)).isEqualTo(credentials.user());
            assertThat(resultSet.getString(3)).isEqualTo(credentials.user());
        }
    }

    @Test
    public void testABuildsRoleCannotReachAnotherBuildsDatabase()
            throws SQLException
    {
        DatabaseConnection first = provider().create(prefix + "first");
        provider().create(prefix + "second");

        assertThatThrownBy(() -> connect(prefix + "second", first).close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("permission denied");
        try (Connection own = connect(prefix + "first", first); Statement statement = own.createStatement()) {
            assertThatThrownBy(() -> statement.execute("CREATE DATABASE \"" + prefix + "sneaky\""))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("permission denied");
        }
        provider().drop(prefix + "first");
        assertThatThrownBy(() -> connect("postgres", first).close())
                .as("the role goes with its database")
                .isInstanceOf(SQLException.class);
    }

    @Test
    public void testDropClosesConnectionsAndIsIdempotent()
            throws SQLException
    {
        String name = prefix + "dropped";
        DatabaseConnection credentials = provider().create(name);
        try (Connection open = connect(name, credentials)) {
            assertThat(provider().drop(name)).isTrue();
            assertThat(provider().exists(name)).isFalse();
            assertThat(open.isValid(5)).isFalse();
        }
        assertThat(provider().drop(name)).isFalse();
    }

    @Test
    public void testNamesThatCouldInjectLeaveTheServerAlone()
    {
        assertThatThrownBy(() -> provider().create("x\"; DROP DATABASE postgres; --")).isInstanceOf(StagehandException.class);
        assertThat(provider().exists("postgres")).isTrue();
    }

    @Test
    public void testCopiesADatabaseInUseConsistentlyOwnedByARoleOfItsOwn()
            throws SQLException
    {
        String source = prefix + "production";
        DatabaseConnection production = provider().create(source);
        try (Connection connection = connect(source, production); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE res_partner (id serial PRIMARY KEY, name text NOT NULL)");
            statement.execute("CREATE INDEX res_partner_name_trgm ON res_partner USING gin (name gin_trgm_ops)");
            statement.execute("INSERT INTO res_partner (name) SELECT 'partner ' || n FROM generate_series(1, 1000) n");
        }
        try (Connection inUse = connect(source, production); Statement statement = inUse.createStatement()) {
            // The source stays in use, with a transaction open that the copy must not see.
            inUse.setAutoCommit(false);
            statement.execute("INSERT INTO res_partner (name) VALUES ('not committed')");

            DatabaseConnection copy = provider().copy(source, prefix + "staging");

            assertThat(copy.user()).isNotEqualTo(production.user());
            try (Connection staging = connect(prefix + "staging", copy); Statement read = staging.createStatement()) {
                assertThat(single(read, "SELECT count(*) FROM res_partner")).isEqualTo("1000");
                assertThat(single(read, "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables WHERE schemaname = 'public'")).isEqualTo(copy.user());
                assertThat(single(read, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()")).isEqualTo(copy.user());
                read.execute("INSERT INTO res_partner (name) VALUES ('written in the copy')");
            }
            assertThatThrownBy(() -> connect(source, copy).close())
                    .as("the copy's role cannot reach the source")
                    .isInstanceOf(SQLException.class);
            inUse.rollback();
        }
        assertThat(provider().query(source, "SELECT count(*) AS n FROM res_partner", List.of())).containsExactly(Map.of("n", 1000L));
    }

    @Test
    public void testDumpsAsOdooDoesAndRestoresADumpAsANewRole(@TempDir Path temp)
            throws Exception
    {
        String name = prefix + "dumped";
        DatabaseConnection credentials = provider().create(name);
        provider().execute(name, "CREATE TABLE res_partner (id serial PRIMARY KEY, name text); INSERT INTO res_partner (name) VALUES (?), (?)", List.of("Azure Interior", "Deco Addict"));
        Path dump = temp.resolve("dump.sql");

        provider().dump(name, dump);

        String sql = Files.readString(dump);
        assertThat(sql).contains("PostgreSQL database dump", "CREATE TABLE public.res_partner").doesNotContain("OWNER TO");
        DatabaseConnection restored = provider().restoreDump(prefix + "restored", TestingDumpLoader.of(dump));
        assertThat(restored.user()).isNotEqualTo(credentials.user());
        assertThat(provider().query(prefix + "restored", "SELECT string_agg(name, ',' ORDER BY id) AS names FROM res_partner", List.of()))
                .containsExactly(Map.of("names", "Azure Interior,Deco Addict"));
        assertThat(provider().query(prefix + "restored", "SELECT tableowner AS owner FROM pg_tables WHERE tablename = 'res_partner'", List.of()))
                .containsExactly(Map.of("owner", restored.user()));

        // A dump that breaks half-way leaves no database.
        Files.writeString(temp.resolve("broken.sql"), sql.replace("CREATE TABLE public.res_partner", "CREATE TABLE public.res_partner (broken"));
        assertThatThrownBy(() -> provider().restoreDump(prefix + "broken", TestingDumpLoader.of(temp.resolve("broken.sql"))))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.CORRUPT_DATA.toErrorCode()))
                .hasMessageContaining("Cannot restore broken.sql into database");
        assertThat(provider().exists(prefix + "broken")).isFalse();
        assertThatThrownBy(() -> provider().dump(prefix + "missing", temp.resolve("missing.sql")))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.NOT_FOUND.toErrorCode()));

        // Replacing a database's content keeps its role and credentials; a broken dump changes nothing.
        provider().execute(name, "INSERT INTO res_partner (name) VALUES ('Written after the dump')", List.of());
        assertThatThrownBy(() -> provider().replaceWithDump(name, TestingDumpLoader.of(temp.resolve("broken.sql")), ""))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.CORRUPT_DATA.toErrorCode()));
        assertThat(provider().query(name, "SELECT count(*) AS n FROM res_partner", List.of())).containsExactly(Map.of("n", 3L));
        provider().replaceWithDump(name, TestingDumpLoader.of(dump), "");
        try (Connection connection = connect(name, credentials); Statement statement = connection.createStatement()) {
            assertThat(single(statement, "SELECT string_agg(name, ',' ORDER BY id) FROM res_partner")).isEqualTo("Azure Interior,Deco Addict");
            assertThat(single(statement, "SELECT tableowner FROM pg_tables WHERE tablename = 'res_partner'")).isEqualTo(credentials.user());
        }
        assertThat(provider().list(prefix)).doesNotContain(prefix + "dumped_incoming");

        // Statements run on the restored database before it takes the place; failing, they change nothing.
        provider().replaceWithDump(name, TestingDumpLoader.of(dump), "UPDATE res_partner SET name = upper(name); CREATE TABLE imported (at timestamp)");
        assertThat(provider().query(name, "SELECT string_agg(name, ',' ORDER BY id) AS names FROM res_partner", List.of())).containsExactly(Map.of("names", "AZURE INTERIOR,DECO ADDICT"));
        assertThat(provider().query(name, "SELECT tableowner AS owner FROM pg_tables WHERE tablename = 'imported'", List.of())).containsExactly(Map.of("owner", credentials.user()));
        assertThatThrownBy(() -> provider().replaceWithDump(name, TestingDumpLoader.of(dump), "UPDATE no_such_table SET x = 1"))
                .isInstanceOf(StagehandException.class);
        assertThat(provider().query(name, "SELECT string_agg(name, ',' ORDER BY id) AS names FROM res_partner", List.of())).containsExactly(Map.of("names", "AZURE INTERIOR,DECO ADDICT"));
        assertThat(provider().list(prefix)).doesNotContain(prefix + "dumped_incoming");
    }

    @Test
    public void testRestoresAPgDumpCustomFormatArchiveAsOdoosRestoreDoes(@TempDir Path temp)
            throws Exception
    {
        // res_partner.dump: `pg_dump --format=custom --no-owner` of a database holding
        // res_partner (id serial, name text) with 'Azure Interior' and 'Deco Addict', by PostgreSQL 15.
        Path archive = temp.resolve("customer.dump");
        try (var in = BaseDatabaseProviderContractTest.class.getResourceAsStream("res_partner.dump")) {
            Files.copy(in, archive);
        }
        DatabaseConnection restored = provider().restoreDump(prefix + "custom", TestingDumpLoader.of(archive));
        assertThat(provider().query(prefix + "custom", "SELECT string_agg(name, ',' ORDER BY id) AS names FROM res_partner", List.of()))
                .containsExactly(Map.of("names", "Azure Interior,Deco Addict"));
        assertThat(provider().query(prefix + "custom", "SELECT tableowner AS owner FROM pg_tables WHERE tablename = 'res_partner'", List.of()))
                .containsExactly(Map.of("owner", restored.user()));

        String name = prefix + "replaced";
        provider().create(name);
        provider().replaceWithDump(name, TestingDumpLoader.of(archive), "");
        assertThat(provider().query(name, "SELECT count(*) AS n FROM res_partner", List.of())).containsExactly(Map.of("n", 2L));

        // Cut short, it changes nothing and leaves nothing.
        byte[] bytes = Files.readAllBytes(archive);
        Files.write(temp.resolve("truncated.dump"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> provider().restoreDump(prefix + "truncated", TestingDumpLoader.of(temp.resolve("truncated.dump"))))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.CORRUPT_DATA.toErrorCode()));
        assertThat(provider().exists(prefix + "truncated")).isFalse();
        assertThatThrownBy(() -> provider().replaceWithDump(name, TestingDumpLoader.of(temp.resolve("truncated.dump")), ""))
                .isInstanceOf(StagehandException.class);
        assertThat(provider().query(name, "SELECT count(*) AS n FROM res_partner", List.of())).containsExactly(Map.of("n", 2L));
    }

    @Test
    public void testRestoresASnapshotWithTheSameRole()
            throws SQLException
    {
        String name = prefix + "prod";
        DatabaseConnection credentials = provider().create(name);
        try (Connection connection = connect(name, credentials); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE ir_module_module (name text PRIMARY KEY, latest_version text)");
            statement.execute("INSERT INTO ir_module_module VALUES ('sale_custom', '17.0.1.0')");
        }
        try (Connection open = connect(name, credentials)) {
            assertThatThrownBy(() -> provider().snapshot(name, prefix + "snap"))
                    .as("a snapshot is of a database nobody uses")
                    .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.CONFLICT.toErrorCode()));
        }
        provider().snapshot(name, prefix + "snap");
        DatabaseConnection renewed = provider().renewCredentials(name);
        try (Connection connection = connect(name, renewed); Statement statement = connection.createStatement()) {
            statement.execute("UPDATE ir_module_module SET latest_version = '17.0.2.0'");
            statement.execute("CREATE TABLE half_migrated (id int)");
        }
        assertThatThrownBy(() -> connect(name, credentials).close())
                .as("renewed credentials replace the old ones")
                .isInstanceOf(SQLException.class);

        try (Connection stillOpen = connect(name, renewed)) {
            provider().restoreSnapshot(prefix + "snap", name);
            assertThat(stillOpen.isValid(5)).isFalse();
        }

        assertThat(provider().exists(prefix + "snap")).isFalse();
        try (Connection connection = connect(name, renewed); Statement statement = connection.createStatement()) {
            assertThat(single(statement, "SELECT latest_version FROM ir_module_module")).isEqualTo("17.0.1.0");
            assertThat(single(statement, "SELECT count(*) FROM pg_tables WHERE tablename = 'half_migrated'")).isEqualTo("0");
            assertThat(single(statement, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()")).isEqualTo(renewed.user());
        }
        assertThatThrownBy(() -> provider().restoreSnapshot(prefix + "snap", name))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.NOT_FOUND.toErrorCode()));
    }

    @Test
    public void testRenamesADatabaseWithItsRole()
            throws SQLException
    {
        DatabaseConnection old = provider().create(prefix + "staging-1");
        provider().execute(prefix + "staging-1", "CREATE TABLE kept (value text); INSERT INTO kept VALUES (?)", List.of("data"));

        DatabaseConnection renamed = provider().rename(prefix + "staging-1", prefix + "staging-2");

        assertThat(provider().exists(prefix + "staging-1")).isFalse();
        assertThat(renamed.user()).isEqualTo(prefix + "staging-2");
        try (Connection connection = connect(prefix + "staging-2", renamed); Statement statement = connection.createStatement()) {
            assertThat(single(statement, "SELECT value FROM kept")).isEqualTo("data");
            assertThat(single(statement, "SELECT tableowner FROM pg_tables WHERE tablename = 'kept'")).isEqualTo(renamed.user());
        }
        assertThatThrownBy(() -> connect(prefix + "staging-2", old).close()).isInstanceOf(SQLException.class);
        provider().create(prefix + "other");
        assertThatThrownBy(() -> provider().rename(prefix + "staging-2", prefix + "other"))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.ALREADY_EXISTS.toErrorCode()));
        provider().drop(prefix + "staging-2");
        assertThatThrownBy(() -> connect("postgres", renamed).close()).as("the renamed role goes with its database").isInstanceOf(SQLException.class);
    }

    @Test
    public void testExecutesInOneTransactionAsTheDatabasesRole()
    {
        String name = prefix + "sql";
        DatabaseConnection credentials = provider().create(name);
        assertThat(provider().execute(name, "CREATE TABLE ir_mail_server (name text, smtp_host text, smtp_port int)", List.of())).isZero();
        assertThat(provider().execute(name, "INSERT INTO ir_mail_server VALUES (?, ?, ?), ('other', 'b', 2)", List.of("neutralization - disable emails", "invalid", 1025))).isEqualTo(2);
        assertThat(provider().query(name, "SELECT tableowner AS owner FROM pg_tables WHERE tablename = 'ir_mail_server'", List.of()))
                .containsExactly(Map.of("owner", credentials.user()));

        assertThatThrownBy(() -> provider().execute(name, "UPDATE ir_mail_server SET smtp_host = 'catcher'; SELECT 1 / 0", List.of()))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.PROVIDER_ERROR.toErrorCode()))
                .hasMessageContaining("division by zero");
        assertThat(provider().query(name, "SELECT smtp_host, smtp_port FROM ir_mail_server WHERE name = ?", List.of("neutralization - disable emails")))
                .as("a failed statement changes nothing")
                .containsExactly(Map.of("smtp_host", "invalid", "smtp_port", 1025));
        assertThatThrownBy(() -> provider().query(prefix + "missing", "SELECT 1", List.of()))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.NOT_FOUND.toErrorCode()));
    }

    @Test
    public void testADumpThatUndoesItsRoleGainsNothing(@TempDir Path temp)
            throws Exception
    {
        // Another tenant's production, which the hostile dump reaches for.
        String other = prefix + "other-production";
        DatabaseConnection otherCredentials = provider().create(other);
        String target = prefix + "target";
        provider().create(target);
        for (String attack : List.of(
                "RESET ROLE; GRANT \"%s\" TO CURRENT_USER;".formatted(other),
                "RESET ROLE; GRANT \"%s\" TO \"%s\";".formatted(other, target),
                "RESET ROLE; CREATE ROLE \"%sescaped\" LOGIN PASSWORD 'x';".formatted(prefix),
                "RESET ROLE; ALTER ROLE CURRENT_USER CREATEROLE;")) {
            Path dump = temp.resolve("hostile.sql");
            Files.writeString(dump, "CREATE TABLE res_partner (id int);\n" + attack + "\n");
            assertThatThrownBy(() -> provider().restoreDump(prefix + "hostile", TestingDumpLoader.of(dump)))
                    .as(attack)
                    .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.CORRUPT_DATA.toErrorCode()));
            assertThatThrownBy(() -> provider().replaceWithDump(target, TestingDumpLoader.of(dump), ""))
                    .as(attack)
                    .isInstanceOf(StagehandException.class);
        }
        assertThat(provider().exists(prefix + "hostile")).isFalse();
        // Nobody of the tests' databases became a member of the other's role, nor a new role.
        assertThat(provider().query(other, """
                        SELECT count(*) AS n FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles r ON r.oid = m.member
                        WHERE m.roleid = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = ?) AND starts_with(r.rolname, ?)
                        """, List.of(other, prefix)))
                .containsExactly(Map.of("n", 0L));
        assertThat(provider().query(other, "SELECT count(*) AS n FROM pg_catalog.pg_roles WHERE rolname = ?", List.of(prefix + "escaped"))).containsExactly(Map.of("n", 0L));
        try (Connection connection = connect(other, otherCredentials)) {
            assertThat(connection.isValid(5)).isTrue();
        }
    }

    @Test
    public void testWhatAQueryReachesRunsWithTheTenantsPrivilegesAlone()
    {
        String name = prefix + "tenant";
        provider().create(name);
        // What a hostile tenant's code can leave for the platform to read: a view over a function
        // that notes who reads it, then tries to become the session's own user and make a role.
        provider().execute(name, """
                CREATE TABLE public.readers (privileged boolean, escalated boolean);
                CREATE FUNCTION public.note_reader() RETURNS text LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO public.readers SELECT rolsuper OR rolcreaterole OR rolcreatedb, false FROM pg_catalog.pg_roles WHERE rolname = session_user;
                    BEGIN
                        RESET ROLE;
                        EXECUTE format('CREATE ROLE %%I', '%sescalated');
                        UPDATE public.readers SET escalated = true;
                    EXCEPTION WHEN insufficient_privilege THEN
                        NULL;
                    END;
                    RETURN '17.0.1.0.0';
                END $$;
                CREATE VIEW public.ir_module_module AS SELECT 'base'::text AS name, 'installed'::text AS state, public.note_reader() AS latest_version;
                CREATE TABLE public.ir_mail_server (id int, smtp_host text);
                INSERT INTO public.ir_mail_server VALUES (1, 'invalid');
                CREATE FUNCTION public.on_update() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM public.note_reader();
                    RETURN NEW;
                END $$;
                CREATE TRIGGER on_update BEFORE UPDATE ON public.ir_mail_server FOR EACH ROW EXECUTE FUNCTION public.on_update();
                """.formatted(prefix), List.of());

        assertThat(provider().query(name, "SELECT name, state, latest_version FROM public.ir_module_module", List.of()))
                .containsExactly(Map.of("name", "base", "state", "installed", "latest_version", "17.0.1.0.0"));
        assertThat(provider().execute(name, "UPDATE public.ir_mail_server SET smtp_host = ?", List.of("catcher"))).isEqualTo(1);

        assertThat(provider().query(name, "SELECT privileged, escalated FROM public.readers", List.of()))
                .as("the tenant's view and trigger ran, each with no privilege beyond the tenant's")
                .containsExactly(Map.of("privileged", false, "escalated", false), Map.of("privileged", false, "escalated", false));
        assertThat(provider().query(name, "SELECT count(*) AS n FROM pg_catalog.pg_roles WHERE rolname = ?", List.of(prefix + "escalated"))).containsExactly(Map.of("n", 0L));
    }

    private static String single(Statement statement, String sql)
            throws SQLException
    {
        try (ResultSet resultSet = statement.executeQuery(sql)) {
            assertThat(resultSet.next()).as(sql).isTrue();
            return resultSet.getString(1);
        }
    }

    @Test
    public void testAReadersSessionsHoldNoRightLongerThanTheGrantAndLeaveNoTrace(@TempDir Path temp)
            throws SQLException, IOException
    {
        String name = prefix + "production";
        DatabaseConnection owner = provider().create(name);
        provider().create(prefix + "other");
        provider().execute(name, "CREATE TABLE public.res_partner (name text); INSERT INTO public.res_partner VALUES ('Azure')", List.of());
        DatabaseConnection reader = provider().reader(name);
        assertThatThrownBy(() -> connect(prefix + "other", reader).close()).as("a reader reaches its database alone").isInstanceOf(SQLException.class);
        try (Connection connection = connect(name, reader); Statement statement = connection.createStatement()) {
            assertThatThrownBy(() -> statement.executeQuery("SELECT rolpassword FROM pg_catalog.pg_authid").close())
                    .as("the server's roles and their password hashes").isInstanceOf(SQLException.class);
        }
        try (Connection connection = connect(name, reader); Statement statement = connection.createStatement()) {
            // What a reader might do to keep itself a writer: its own default, for its next sessions.
            statement.execute("SET default_transaction_read_only = off");
            statement.execute("RESET ROLE");
            statement.execute("ALTER ROLE CURRENT_USER SET default_transaction_read_only = off");
        }

        provider().allowReaderWrites(name);
        try (Connection allowed = connect(name, provider().reader(name)); Statement statement = allowed.createStatement()) {
            statement.execute("CREATE TABLE public.made_while_allowed (id int)");
            assertThat(single(statement, "SELECT tableowner FROM pg_tables WHERE tablename = 'made_while_allowed'")).as("what it makes is the database's").isEqualTo(owner.user());
            provider().revokeReaderWrites(name);
            assertThat(allowed.isValid(5)).as("a session of the grant's ends with it").isFalse();
        }
        DatabaseConnection again = provider().reader(name);
        try (Connection connection = connect(name, again); Statement statement = connection.createStatement()) {
            assertThat(single(statement, "SELECT name FROM public.res_partner")).isEqualTo("Azure");
            assertThatThrownBy(() -> statement.execute("INSERT INTO public.res_partner VALUES ('x')")).isInstanceOf(SQLException.class);
        }

        provider().snapshot(name, prefix + "snap");
        provider().restoreSnapshot(prefix + "snap", name);
        try (Connection connection = connect(name, provider().reader(name)); Statement statement = connection.createStatement()) {
            assertThat(single(statement, "SELECT name FROM public.res_partner")).as("a database restored in place is read again").isEqualTo("Azure");
        }
        Path dump = temp.resolve("dump.sql");
        provider().dump(name, dump);
        assertThat(Files.readString(dump)).as("nothing of the reader is in the tenant's database").doesNotContain(again.user());
    }

    private static String quoted(String name)
    {
        return "\"" + name + "\"";
    }

    protected Connection connect(String database, DatabaseConnection info)
            throws SQLException
    {
        Properties properties = new Properties();
        properties.setProperty("user", info.user());
        properties.setProperty("password", info.password());
        properties.setProperty("connectTimeout", "5");
        return DriverManager.getConnection("jdbc:postgresql://" + info.host() + ":" + info.port() + "/" + database, properties);
    }
}
