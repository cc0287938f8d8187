package sh.stagehand.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.containers.Network;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The containers sh-testkit offers embedders start from the locally built images, with no
 * registry, and answer: PostgreSQL a JDBC connection, the Odoo-compatible test server
 * {@code /web/health}, with its database in such a PostgreSQL container. Real containers: under CI
 * a missing Docker engine fails these tests (TestingDocker), it never skips them.
 */
class ContainersIT
{
    @RegisterExtension
    static final TestingDocker docker = new TestingDocker();

    @Test
    void testPostgreSqlAcceptsJdbcConnection()
            throws SQLException
    {
        try (DebianPostgreSqlContainer postgres = new DebianPostgreSqlContainer().withDatabaseName("acme").withUsername("stagehand")) {
            postgres.start();

            assertThat(postgres.getJdbcUrl()).startsWith("jdbc:postgresql://127.0.0.1:");
            try (Connection connection = DriverManager.getConnection(postgres.getJdbcUrl(), postgres.getUsername(), postgres.getPassword());
                    Statement statement = connection.createStatement();
                    ResultSet row = statement.executeQuery("SELECT current_database(), current_user, current_setting('server_version_num')")) {
                assertThat(row.next()).isTrue();
                assertThat(row.getString(1)).isEqualTo("acme");
                assertThat(row.getString(2)).isEqualTo("stagehand");
                assertThat(row.getInt(3)).as("Debian bookworm's PostgreSQL").isBetween(150000, 159999);
            }
        }
    }

    @Test
    void testOdooTestServerAnswersHealthCheck()
            throws IOException, InterruptedException
    {
        try (Network network = Network.newNetwork();
                DebianPostgreSqlContainer postgres = new DebianPostgreSqlContainer().withNetwork(network).withNetworkAliases("db").withUsername("odoo");
                OdooContainer odoo = new OdooContainer(OdooContainer.TEST_SERVER_IMAGE).withNetwork(network)) {
            postgres.start();
            odoo.withDatabaseServer("db", 5432, postgres.getUsername(), postgres.getPassword()).start();

            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(odoo.uri("/web/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\"").contains("\"pass\"");
        }
    }
}
