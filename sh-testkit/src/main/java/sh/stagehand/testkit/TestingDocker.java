package sh.stagehand.testkit;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.ExecStartCmd;
import com.github.dockerjava.api.command.InspectExecResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * The Docker engine {@code bin/env-up} runs, as a JUnit 5 extension:
 * <pre>{@code @RegisterExtension static final TestingDocker docker = new TestingDocker();}</pre>
 * Before the tests it checks, through Testcontainers' {@link DockerClientFactory}, that the engine
 * answers at {@code docker.host} and has the base image (failing under CI, aborting elsewhere, if
 * not). Nothing is ever pulled: there is no registry. Thread-safe.
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
        DockerClientFactory factory = DockerClientFactory.instance();
        if (!factory.isDockerAvailable()) {
            throw TestingEnvironment.unavailable("No Docker engine answers Testcontainers (docker.host is " + host + ")");
        }
        // One engine for the fixtures, Testcontainers and the platform under test (sh-docker's docker.host).
        URI found = factory.getTransportConfig().getDockerHost();
        if (!found.equals(host)) {
            throw TestingEnvironment.unavailable("Testcontainers found the Docker engine at " + found + ", but docker.host is " + host
                    + ": set DOCKER_HOST=" + host + " so that both use one engine");
        }
        try {
            factory.client().inspectImageCmd(baseImage).exec();
        }
        catch (NotFoundException e) {
            throw TestingEnvironment.unavailable("The Docker engine has no image " + baseImage, e);
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
     * printed, both streams. The input is not followed by an end of file: a command reads what it
     * needs of it, e.g. one line.
     */
    public Exec exec(String container, String input, String... command)
    {
        requireNonNull(container, "container is null");
        requireNonNull(input, "input is null");
        DockerClient client = DockerClientFactory.instance().client();
        String execution = client.execCreateCmd(container)
                .withAttachStdin(!input.isEmpty())
                .withAttachStdout(true)
                .withAttachStderr(true)
                .withCmd(command)
                .exec()
                .getId();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        ExecStartCmd start = client.execStartCmd(execution);
        if (!input.isEmpty()) {
            start.withStdIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        }
        try {
            start.exec(new ResultCallback.Adapter<Frame>()
            {
                @Override
                public void onNext(Frame frame)
                {
                    synchronized (output) {
                        output.writeBytes(frame.getPayload());
                    }
                }
            }).awaitCompletion();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }

        // Read once the output has ended, and again while the engine still counts it running: the
        // exit code may not be set as soon as the output ends (a docker-java pitfall).
        InspectExecResponse ended = client.inspectExecCmd(execution).exec();
        for (int attempt = 0; Boolean.TRUE.equals(ended.isRunning()) && attempt < 100; attempt++) {
            sleep(Duration.ofMillis(20));
            ended = client.inspectExecCmd(execution).exec();
        }
        Long exitCode = ended.getExitCodeLong();
        synchronized (output) {
            return new Exec(requireNonNull(exitCode, "exitCode is null").intValue(), output.toString(StandardCharsets.UTF_8).strip());
        }
    }

    private static void sleep(Duration duration)
    {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
