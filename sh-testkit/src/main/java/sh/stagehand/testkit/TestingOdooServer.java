package sh.stagehand.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * Runs the Odoo-compatible test server image ({@code docker.odoo-test-image}, built by
 * {@code bin/env-up}) the way a platform runs Odoo's official image: addons mounted at
 * {@code /mnt/extra-addons}, a data directory at {@code /var/lib/odoo}, the database server from
 * {@code HOST}, {@code PORT}, {@code USER} and {@code PASSWORD}. It uses the {@code docker} command
 * line, so that the fixture needs no Docker client library. Thread-safe.
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
        List<String> command = dockerRun(List.of("--rm"), arguments);
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("odoo " + String.join(" ", arguments) + " did not end within " + RUN_TIMEOUT);
            }
            return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + command, e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted", e);
        }
    }

    /**
     * Starts {@code odoo ARGUMENTS} as a server, its port 8069 published on a loopback port, and
     * waits until {@code /web/health} answers.
     */
    public Server start(String... arguments)
    {
        String name = "testing-odoo-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        String containerId = docker(dockerRun(List.of("-d", "--name", name, "-p", "127.0.0.1::8069"), arguments)).strip();
        Server server = new Server(containerId);
        try {
            String port = docker(List.of("docker", "port", containerId, "8069/tcp")).lines().findFirst().orElseThrow().strip();
            server.port = Integer.parseInt(port.substring(port.lastIndexOf(':') + 1));
            server.awaitHealthy(Duration.ofSeconds(60));
            return server;
        }
        catch (RuntimeException | Error e) {
            e.addSuppressed(new AssertionError("Server log:\n" + server.log()));
            server.close();
            throw e;
        }
    }

    private List<String> dockerRun(List<String> options, String... arguments)
    {
        List<String> command = new ArrayList<>(List.of("docker", "run"));
        command.addAll(options);
        command.addAll(List.of(
                "--network", network,
                "-e", "HOST=" + postgres.containerHost(),
                "-e", "PORT=" + postgres.port(),
                "-e", "USER=" + postgres.odooUser(),
                "-e", "PASSWORD=" + postgres.odooPassword(),
                "-v", addons.toAbsolutePath() + ":/mnt/extra-addons:ro",
                "-v", dataDirectory.toAbsolutePath() + ":/var/lib/odoo",
                image, "odoo"));
        command.addAll(List.of(arguments));
        return command;
    }

    private static String docker(List<String> command)
    {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed: " + output);
            }
            return output;
        }
        catch (IOException e) {
            throw TestingEnvironment.unavailable("Cannot run the docker command line (" + e.getMessage() + ")", e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted", e);
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
        private final String containerId;
        private int port;

        private Server(String containerId)
        {
            this.containerId = containerId;
        }

        public int port()
        {
            return port;
        }

        public URI uri(String path)
        {
            return URI.create("http://127.0.0.1:" + port + path);
        }

        /** What the server wrote so far. */
        public String log()
        {
            return docker(List.of("docker", "logs", containerId));
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

        private void awaitHealthy(Duration timeout)
        {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    if (HTTP.send(HttpRequest.newBuilder(uri("/web/health")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return;
                    }
                }
                catch (IOException e) {
                    // not listening yet
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("Interrupted", e);
                }
                try {
                    Thread.sleep(100);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("Interrupted", e);
                }
            }
            throw new AssertionError("The test server did not answer /web/health within " + timeout);
        }

        /**
         * Stops the server as a platform does, with SIGTERM ({@code docker stop}).
         */
        public void stop()
        {
            docker(List.of("docker", "stop", "--time", "10", containerId));
        }

        @Override
        public void close()
        {
            docker(List.of("docker", "rm", "-f", containerId));
        }
    }
}
