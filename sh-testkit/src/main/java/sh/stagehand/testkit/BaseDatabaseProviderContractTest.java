package sh.stagehand.testkit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseConnection;
import sh.stagehand.spi.database.DatabaseProvider;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link DatabaseProvider} must do. Odoo needs PostgreSQL, so the checks talk to the
 * created databases over JDBC, with the provider's own {@link DatabaseProvider#connectionInfo()}.
 */
public abstract class BaseDatabaseProviderContractTest
{
    private final String prefix = "ct_" + UUID.randomUUID().toString().substring(0, 8) + "_";

    /** The provider under test; the same instance for every test of one class. */
    protected abstract DatabaseProvider provider();

    @AfterEach
    public void dropDatabases()
    {
        provider().list(prefix).forEach(provider()::drop);
    }

    @Test
    public void testCreatesUtf8DatabaseOwnedByARoleOfItsOwn()
            throws SQLException
    {
        String name = prefix + "main";
        assertThat(provider().exists(name)).isFalse();
        DatabaseConnection credentials = provider().create(name);
        assertThat(provider().exists(name)).isTrue();
        assertThat(credentials.user()).isNotEqualTo(provider().connectionInfo().user());

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
    public void testCreateTwiceFails()
    {
        String name = prefix + "twice";
        provider().create(name);
        assertThatThrownBy(() -> provider().create(name))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.ALREADY_EXISTS.toErrorCode()))
                .hasMessageContaining(name);
    }

    @Test
    public void testListsByPrefixSorted()
    {
        provider().create(prefix + "b");
        provider().create(prefix + "a");
        provider().create(prefix + "c-1.x");
        assertThat(provider().list(prefix)).containsExactly(prefix + "a", prefix + "b", prefix + "c-1.x");
        assertThat(provider().list(prefix + "b")).containsExactly(prefix + "b");
        assertThat(provider().list("")).contains(prefix + "a").doesNotContain("postgres", "template0", "template1");
    }

    @Test
    public void testReportsSize()
    {
        String name = prefix + "sized";
        provider().create(name);
        assertThat(provider().sizeBytes(name)).isPositive();
        assertThatThrownBy(() -> provider().sizeBytes(prefix + "missing"))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.NOT_FOUND.toErrorCode()));
    }

    @Test
    public void testDropClosesConnectionsAndIsIdempotent()
            throws SQLException
    {
        String name = prefix + "dropped";
        provider().create(name);
        try (Connection open = connect(name, provider().connectionInfo())) {
            assertThat(provider().drop(name)).isTrue();
            assertThat(provider().exists(name)).isFalse();
            assertThat(open.isValid(5)).isFalse();
        }
        assertThat(provider().drop(name)).isFalse();
    }

    @Test
    public void testRejectsNamesThatCouldInject()
    {
        for (String name : new String[] {"x\"; DROP DATABASE postgres; --", "a b", "-leading-dash", "", "x'y", "é", "a".repeat(64)}) {
            assertThatThrownBy(() -> provider().create(name))
                    .as(name)
                    .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()));
            assertThatThrownBy(() -> provider().drop(name)).as(name).isInstanceOf(StagehandException.class);
            assertThatThrownBy(() -> provider().exists(name)).as(name).isInstanceOf(StagehandException.class);
        }
        assertThatThrownBy(() -> provider().list("x'"))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()));
        assertThat(provider().exists("postgres")).isTrue();
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
