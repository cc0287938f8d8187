package sh.stagehand.testkit;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.NotModifiedException;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * Runs the Odoo-compatible test server image ({@code docker.odoo-test-image}, built by
 * {@code bin/env-up}) the way a platform runs Odoo's official image: addons mounted at
 * {@code /mnt/extra-addons}, a data directory at {@code /var/lib/odoo}, the database server from
 * {@code HOST}, {@code PORT}, {@code USER} and {@code PASSWORD}. Each run and each server is an
 * {@link OdooContainer} (Testcontainers) on {@code docker.network}. Thread-safe.
 *
 * <pre>{@code
 * TestingOdooServer odoo = new TestingOdooServer(postgres, docker, addons, data);
 * TestingOdooServer.Run run = odoo.run("-d", "db", "-i", "my_module", "--stop-after-init");
 * try (TestingOdooServer.Server server = odoo.start("-d", "db", "--db-filter", "^db$")) { ... }
 * }</pre>
 */
public final class TestingOdooServer
{
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String image;
    private final String network;
    private final TestingPostgres postgres;
    private final Path addons;
    private final Path dataDirectory;

    /**
     * @param addons the host directory mounted read-only at {@code /mnt/extra-addons}
     * @param dataDirectory the host directory mounted at {@code /var/lib/odoo} (made writable for
     *         the image's {@code odoo} user)
     */
    public TestingOdooServer(TestingPostgres postgres, TestingDocker docker, Path addons, Path dataDirectory)
    {
        this.image = TestingEnvironment.get().require("docker.odoo-test-image");
        this.network = requireNonNull(docker, "docker is null").network();
        this.postgres = requireNonNull(postgres, "postgres is null");
        this.addons = requireNonNull(addons, "addons is null");
        this.dataDirectory = requireNonNull(dataDirectory, "dataDirectory is null");
        try {
            Files.createDirectories(addons);
            Files.createDirectories(dataDirectory);
            Files.setPosixFilePermissions(dataDirectory, PosixFilePermissions.fromString("rwxrwxrwx"));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path addons()
    {
        return addons;
    }

    public Path dataDirectory()
    {
        return dataDirectory;
    }

    /**
     * Runs {@code odoo ARGUMENTS} to its end, e.g. {@code -d db -i mod --stop-after-init}, or a
     * subcommand such as {@code neutralize -d db}.
     */
    public Run run(String... arguments)
    {
        try (OdooContainer container = container(arguments)) {
            // Nothing to wait for but its end: no port (Testcontainers would wait for an ended
            // container's ports to be published), whatever its exit code.
            container.setExposedPorts(List.of());
            container.waitingFor(new Ended()).withStartupCheckStrategy(new UntilEnded(RUN_TIMEOUT));
            try {
                container.start();
            }
            catch (RuntimeException e) {
                throw new AssertionError("odoo " + String.join(" ", arguments) + " did not run to its end within " + RUN_TIMEOUT, e);
            }
            Long exitCode = container.getCurrentContainerInfo().getState().getExitCodeLong();
            return new Run(requireNonNull(exitCode, "exitCode is null").intValue(), container.getLogs());
        }
    }

    /**
     * Starts {@code odoo ARGUMENTS} as a server, its port 8069 published on a loopback port, and
     * waits until {@code /web/health} answers.
     */
    public Server start(String... arguments)
    {
        OdooContainer container = container(arguments);
        try {
            container.start();
            return new Server(container);
        }
        catch (RuntimeException | Error e) {
            if (container.getContainerId() != null) {
                e.addSuppressed(new AssertionError("Server log:\n" + container.getLogs()));
            }
            container.stop();
            throw e;
        }
    }

    private OdooContainer container(String... arguments)
    {
        return new OdooContainer(image)
                .withNetworkMode(network)
                .withDatabaseServer(postgres.containerHost(), postgres.port(), postgres.odooUser(), postgres.odooPassword())
                .withAddons(addons)
                .withDataDirectory(dataDirectory)
                .withOdooArguments(arguments);
    }

    // Once started (that is, ended: see UntilEnded) a run is ready.
    private static final class Ended
            extends AbstractWaitStrategy
    {
        @Override
        protected void waitUntilReady() {}
    }

    // A run is started once it has ended: Docker's wait, not a poll.
    private static final class UntilEnded
            extends StartupCheckStrategy
    {
        private final Duration timeout;

        UntilEnded(Duration timeout)
        {
            this.timeout = timeout;
        }

        @Override
        public boolean waitUntilStartupSuccessful(DockerClient dockerClient, String containerId)
        {
            try (WaitContainerResultCallback callback = dockerClient.waitContainerCmd(containerId).exec(new WaitContainerResultCallback())) {
                callback.awaitStatusCode(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return true;
            }
            catch (DockerClientException e) {
                return false;
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public StartupStatus checkStartupState(DockerClient dockerClient, String containerId)
        {
            return getCurrentState(dockerClient, containerId).getRunning() ? StartupStatus.NOT_YET_KNOWN : StartupStatus.SUCCESSFUL;
        }
    }

    /**
     * A finished run: its exit code and everything it wrote (the log is on stderr, as Odoo's).
     */
    public record Run(int exitCode, String output)
    {
        public List<String> lines()
        {
            return output.lines().toList();
        }
    }

    /**
     * A running server; {@link #close()} stops and removes its container.
     */
    public static final class Server
            implements AutoCloseable
    {
        private final OdooContainer container;

        private Server(OdooContainer container)
        {
            this.container = container;
        }

        public int port()
        {
            return container.getMappedPort(OdooContainer.HTTP_PORT);
        }

        public URI uri(String path)
        {
            return container.uri(path);
        }

        /** What the server wrote so far. */
        public String log()
        {
            return container.getLogs();
        }

        /**
         * Waits until the server's log holds {@code text}, e.g. {@code Registry loaded} (after which
         * its cron threads start).
         */
        public void awaitLog(String text, Duration timeout)
        {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!log().contains(text)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("The test server did not log '" + text + "' within " + timeout + ":\n" + log());
                }
                try {
                    Thread.sleep(100);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("Interrupted", e);
                }
            }
        }

        public HttpResponse<String> get(String path)
        {
            return send(HttpRequest.newBuilder(uri(path)).build());
        }

        public HttpResponse<String> send(HttpRequest request)
        {
            return send(request, HttpResponse.BodyHandlers.ofString());
        }

        public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> bodyHandler)
        {
            try {
                return HTTP.send(request, bodyHandler);
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted", e);
            }
        }

        /**
         * Stops the server as a platform does, with SIGTERM and 10 s before SIGKILL
         * ({@code docker stop}); its log stays readable until {@link #close()}.
         */
        public void stop()
        {
            try {
                container.getDockerClient().stopContainerCmd(container.getContainerId()).withTimeout(10).exec();
            }
            catch (NotModifiedException alreadyStopped) {
                // as docker stop: done
            }
        }

        /** Removes its container. */
        @Override
        public void close()
        {
            container.stop();
        }
    }
}
