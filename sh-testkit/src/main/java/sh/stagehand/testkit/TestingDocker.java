package sh.stagehand.testkit;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The Docker engine {@code bin/env-up} runs, as a JUnit 5 extension:
 * <pre>{@code @RegisterExtension static final TestingDocker docker = new TestingDocker();}</pre>
 * Before the tests it pings the engine's socket and checks the base image exists (failing under CI,
 * aborting elsewhere, if not). Nothing is ever pulled: there is no registry. Thread-safe.
 */
public final class TestingDocker
        implements BeforeAllCallback
{
    private final URI host;
    private final String network;
    private final String networkGateway;
    private final String baseImage;

    public TestingDocker()
    {
        TestingEnvironment environment = TestingEnvironment.get();
        this.host = URI.create(environment.get("docker.host", "unix:///var/run/docker.sock"));
        this.network = environment.get("docker.network", "stagehand");
        this.networkGateway = environment.get("docker.network-gateway", "172.17.0.1");
        this.baseImage = environment.get("docker.base-image", "local/debian:bookworm");
    }

    @Override
    public void beforeAll(ExtensionContext context)
    {
        requireAvailable();
    }

    public void requireAvailable()
    {
        String ping = get("/_ping");
        if (!ping.endsWith("OK")) {
            throw TestingEnvironment.unavailable("The Docker engine at " + host + " answered /_ping with: " + ping);
        }
        String image = get("/images/" + baseImage + "/json");
        if (!image.lines().findFirst().orElse("").contains(" 200 ")) {
            throw TestingEnvironment.unavailable("The Docker engine has no image " + baseImage);
        }
    }

    /** The engine's address, e.g. {@code unix:///var/run/docker.sock}. */
    public URI host()
    {
        return host;
    }

    /** The user-defined network test containers join. */
    public String network()
    {
        return network;
    }

    /** The host's address on {@link #network()}. */
    public String networkGateway()
    {
        return networkGateway;
    }

    /** A Debian bookworm image built locally, for containers that need nothing else. */
    public String baseImage()
    {
        return baseImage;
    }

    /**
     * What a command printed, and how it ended.
     */
    public record Exec(int exitCode, String output) {}

    /**
     * Runs a command in a running container, as its code could (docker exec), {@code input} on its
     * standard input (a secret goes there, never onto a command line), and returns what it
     * printed, both streams.
     */
    public Exec exec(String container, String input, String... command)
    {
        java.util.List<String> arguments = new java.util.ArrayList<>(java.util.List.of("docker", "exec", "-i", container));
        arguments.addAll(java.util.List.of(command));
        ProcessBuilder builder = new ProcessBuilder(arguments).redirectErrorStream(true);
        builder.environment().put("DOCKER_HOST", host.toString());
        try {
            Process process = builder.start();
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Exec(process.waitFor(), output.strip());
        }
        catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // A bare HTTP/1.0 request over the socket: the fixture must not depend on a Docker client library.
    private String get(String path)
    {
        if (!"unix".equals(host.getScheme())) {
            throw new IllegalStateException("TestingDocker supports unix:// engine addresses only, not " + host);
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(Path.of(host.getPath())));
            OutputStream output = Channels.newOutputStream(channel);
            output.write(("GET " + path + " HTTP/1.0\r\nHost: docker\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            output.flush();
            InputStream input = Channels.newInputStream(channel);
            return new String(input.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        catch (IOException e) {
            throw TestingEnvironment.unavailable("The Docker engine does not answer at " + host + " (" + e + ")", e);
        }
    }
}
