package sh.stagehand.spi.runtime;

import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A container as the engine sees it now.
 *
 * @param id the engine's id
 * @param name the name it was started with
 * @param image the image it runs
 * @param state its lifecycle state
 * @param labels its labels
 * @param publishedPorts container port to host port, for ports published at {@code host};
 *         empty when not running
 * @param exitCode the exit code, once {@link ContainerState#EXITED}
 * @param host the address the platform reaches the published ports at: the loopback address
 *        on the platform's own engine, the address of the node that runs it on a cluster
 */
public record ContainerInfo(
        String id,
        String name,
        String image,
        ContainerState state,
        Map<String, String> labels,
        Map<Integer, Integer> publishedPorts,
        Optional<Integer> exitCode,
        String host)
{
    /** Where a container on the platform's own engine publishes its ports. */
    public static final String LOOPBACK = "127.0.0.1";

    public ContainerInfo
    {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        requireNonNull(image, "image is null");
        requireNonNull(state, "state is null");
        labels = Map.copyOf(requireNonNull(labels, "labels is null"));
        publishedPorts = Map.copyOf(requireNonNull(publishedPorts, "publishedPorts is null"));
        requireNonNull(exitCode, "exitCode is null");
        requireNonNull(host, "host is null");
    }

    /**
     * A container whose ports are published on the loopback address.
     */
    public ContainerInfo(String id, String name, String image, ContainerState state, Map<String, String> labels, Map<Integer, Integer> publishedPorts, Optional<Integer> exitCode)
    {
        this(id, name, image, state, labels, publishedPorts, exitCode, LOOPBACK);
    }

    /**
     * @return the host port the given container port is published on
     * @throws IllegalStateException if that port is not published
     */
    public int hostPort(int containerPort)
    {
        Integer hostPort = publishedPorts.get(containerPort);
        if (hostPort == null) {
            throw new IllegalStateException("Container " + name + " does not publish port " + containerPort + " (published: " + publishedPorts + ")");
        }
        return hostPort;
    }
}
