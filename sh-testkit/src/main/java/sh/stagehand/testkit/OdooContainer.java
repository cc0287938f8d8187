package sh.stagehand.testkit;

import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;
import sh.stagehand.testkit.internal.LocalContainers;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * An Odoo server from one of the images {@code bin/env-up} builds, as a Testcontainers container:
 * {@value #TEST_SERVER_IMAGE} (the Odoo-compatible test server, seconds to start) or
 * {@value #ODOO_IMAGE} (real Odoo 17.0). Both have the official {@code odoo:17.0} image's layout:
 * the database server from {@code HOST}, {@code PORT}, {@code USER} and {@code PASSWORD}, addons at
 * {@code /mnt/extra-addons}, data at {@code /var/lib/odoo}, HTTP on {@value #HTTP_PORT}.
 *
 * <p>The image is never pulled (there is no registry: a missing one fails at once, naming
 * {@code bin/env-up}); port {@value #HTTP_PORT} is published on 127.0.0.1 only; {@link #start()}
 * returns once {@code /web/health} answers 200. See the README (Tests) for the Testcontainers
 * settings a machine without a registry needs.
 *
 * <pre>{@code
 * try (Network network = Network.newNetwork();
 *         DebianPostgreSqlContainer postgres = new DebianPostgreSqlContainer().withNetwork(network).withNetworkAliases("db");
 *         OdooContainer odoo = new OdooContainer(OdooContainer.TEST_SERVER_IMAGE).withNetwork(network)
 *                 .withDatabaseServer("db", 5432, postgres.getUsername(), postgres.getPassword())) {
 *     postgres.start();
 *     odoo.start();
 *     URI health = odoo.uri("/web/health");
 * }
 * }</pre>
 *
 * Not thread-safe while configured; its getters may be called from any thread once started.
 */
public class OdooContainer
        extends GenericContainer<OdooContainer>
{
    /** The Odoo-compatible test server (test equipment, not Odoo). */
    public static final String TEST_SERVER_IMAGE = "local/odoo-test:17.0";
    /** Real Odoo 17.0 Community, built from source on Debian's packages. */
    public static final String ODOO_IMAGE = "local/odoo:17.0";
    public static final int HTTP_PORT = 8069;
    public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    public OdooContainer(String image)
    {
        this(DockerImageName.parse(requireNonNull(image, "image is null")));
    }

    public OdooContainer(DockerImageName image)
    {
        super(image);
        LocalContainers.configure(this);
        addExposedPort(HTTP_PORT);
        waitingFor(Wait.forHttp("/web/health").forPort(HTTP_PORT).forStatusCode(200).withStartupTimeout(STARTUP_TIMEOUT));
        setCommand("odoo");
    }

    /**
     * The database server Odoo connects to, as seen from the container (a network alias, or the
     * host's address on the container's network).
     */
    public OdooContainer withDatabaseServer(String host, int port, String user, String password)
    {
        return withEnv("HOST", requireNonNull(host, "host is null"))
                .withEnv("PORT", Integer.toString(port))
                .withEnv("USER", requireNonNull(user, "user is null"))
                .withEnv("PASSWORD", requireNonNull(password, "password is null"));
    }

    /** A host directory mounted read-only at {@code /mnt/extra-addons}. */
    public OdooContainer withAddons(Path directory)
    {
        return withFileSystemBind(directory.toAbsolutePath().toString(), "/mnt/extra-addons", BindMode.READ_ONLY);
    }

    /**
     * A host directory mounted at {@code /var/lib/odoo}; the image's {@code odoo} user (uid 101)
     * must be able to write it.
     */
    public OdooContainer withDataDirectory(Path directory)
    {
        return withFileSystemBind(directory.toAbsolutePath().toString(), "/var/lib/odoo", BindMode.READ_WRITE);
    }

    /**
     * Runs {@code odoo ARGUMENTS}, e.g. {@code -d db --db-filter ^db$}; the image's entrypoint adds
     * the database server's options.
     */
    public OdooContainer withOdooArguments(String... arguments)
    {
        List<String> command = new ArrayList<>();
        command.add("odoo");
        command.addAll(List.of(arguments));
        setCommand(command.toArray(String[]::new));
        return self();
    }

    /** Published on 127.0.0.1 only: the host the server is reached at. */
    @Override
    public String getHost()
    {
        return LocalContainers.LOOPBACK;
    }

    /** The address of {@code path} on the running server, e.g. {@code uri("/web/health")}. */
    public URI uri(String path)
    {
        return URI.create("http://" + getHost() + ":" + getMappedPort(HTTP_PORT) + path);
    }
}
