package sh.stagehand.testkit.internal;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.ImagePullPolicy;

import java.util.function.Consumer;

/**
 * How sh-testkit's containers run on a machine with no registry: their images are built locally
 * ({@code bin/env-up}) and never pulled, and their ports are published on the loopback interface
 * only, as the fixtures always did, so nothing else on the network reaches a test's server.
 * Stateless and thread-safe.
 */
public final class LocalContainers
{
    /** Where published ports listen, and so the host a container is reached at. */
    public static final String LOOPBACK = "127.0.0.1";

    private LocalContainers() {}

    /**
     * Never pulls: an image that is missing locally fails at once, saying where it comes from,
     * rather than after the engine tried a registry that cannot be reached.
     */
    public static ImagePullPolicy neverPull()
    {
        return image -> {
            try {
                DockerClientFactory.instance().client().inspectImageCmd(image.asCanonicalNameString()).exec();
            }
            catch (NotFoundException e) {
                throw new IllegalStateException("The Docker engine has no image " + image.asCanonicalNameString()
                        + ", and none is pulled (there is no registry): build it with bin/env-up at the project root", e);
            }
            return false;
        };
    }

    /**
     * Applies the settings above to a container: call from its constructor, before any
     * {@code withCreateContainerCmdModifier} of the caller's.
     */
    public static void configure(GenericContainer<?> container)
    {
        container.withImagePullPolicy(neverPull());
        container.withCreateContainerCmdModifier(publishOnLoopback(container));
    }

    // Testcontainers publishes every exposed port on all interfaces; this binds each on loopback.
    private static Consumer<CreateContainerCmd> publishOnLoopback(GenericContainer<?> container)
    {
        return command -> {
            Ports bindings = new Ports();
            for (Integer port : container.getExposedPorts()) {
                bindings.add(new PortBinding(Ports.Binding.bindIp(LOOPBACK), ExposedPort.tcp(port)));
            }
            command.getHostConfig().withPortBindings(bindings);
        };
    }
}
