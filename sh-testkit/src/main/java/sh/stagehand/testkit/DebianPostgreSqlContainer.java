package sh.stagehand.testkit;

import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;
import sh.stagehand.testkit.internal.LocalContainers;

import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * PostgreSQL 15 from Debian bookworm's own package, in the image {@value #LOCAL_IMAGE} that
 * {@code bin/env-up} builds ({@code images/postgresql}), as Testcontainers' {@link PostgreSQLContainer}:
 * {@code getJdbcUrl()}, {@code getUsername()}, {@code getPassword()} and
 * {@code withDatabaseName(...)} work as with the official image, whose contract the image keeps.
 *
 * <p>The image is never pulled (there is no registry: a missing one fails at once, naming
 * {@code bin/env-up}); port 5432 is published on 127.0.0.1 only. See the README (Tests) for the
 * Testcontainers settings a machine without a registry needs.
 *
 * <pre>{@code
 * try (DebianPostgreSqlContainer postgres = new DebianPostgreSqlContainer()) {
 *     postgres.start();
 *     Connection connection = DriverManager.getConnection(postgres.getJdbcUrl(), postgres.getUsername(), postgres.getPassword());
 * }
 * }</pre>
 *
 * Not thread-safe while configured; its getters may be called from any thread once started.
 */
public class DebianPostgreSqlContainer
        extends PostgreSQLContainer<DebianPostgreSqlContainer>
{
    public static final String LOCAL_IMAGE = "local/postgresql:15";

    public DebianPostgreSqlContainer()
    {
        this(LOCAL_IMAGE);
    }

    public DebianPostgreSqlContainer(String image)
    {
        super(DockerImageName.parse(requireNonNull(image, "image is null")).asCompatibleSubstituteFor(PostgreSQLContainer.IMAGE));
        LocalContainers.configure(this);
        // The official image logs "ready" twice (a server for its init scripts, then the real one);
        // this one makes its database in single-user mode and starts the server once.
        waitingFor(Wait.forLogMessage(".*database system is ready to accept connections.*\\s", 1).withStartupTimeout(Duration.ofSeconds(60)));
    }

    /** Published on 127.0.0.1 only: the host the server is reached at. */
    @Override
    public String getHost()
    {
        return LocalContainers.LOOPBACK;
    }
}
