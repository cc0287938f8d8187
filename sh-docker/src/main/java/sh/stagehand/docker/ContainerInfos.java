package sh.stagehand.docker;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Ports;
import sh.stagehand.spi.runtime.ContainerInfo;
import sh.stagehand.spi.runtime.ContainerState;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A container as the engine's inspection describes it, read into a {@link ContainerInfo}: its
 * state (an unknown one as {@link ContainerState#UNKNOWN}), exit code once exited, and the host
 * ports its ports are published on. Stateless.
 */
final class ContainerInfos
{
    private ContainerInfos() {}

    static ContainerInfo of(InspectContainerResponse response)
    {
        InspectContainerResponse.ContainerState state = response.getState();
        ContainerState containerState = parseState(state == null ? null : state.getStatus());
        Optional<Integer> exitCode = containerState == ContainerState.EXITED && state.getExitCodeLong() != null
                ? Optional.of(state.getExitCodeLong().intValue())
                : Optional.empty();
        Map<Integer, Integer> publishedPorts = new HashMap<>();
        if (response.getNetworkSettings() != null && response.getNetworkSettings().getPorts() != null) {
            response.getNetworkSettings().getPorts().getBindings().forEach((exposed, bindings) -> {
                if (bindings != null) {
                    for (Ports.Binding binding : bindings) {
                        if (binding.getHostPortSpec() != null && !binding.getHostPortSpec().isEmpty()) {
                            publishedPorts.put(exposed.getPort(), Integer.parseInt(binding.getHostPortSpec()));
                        }
                    }
                }
            });
        }
        String name = response.getName() == null ? "" : response.getName().replaceFirst("^/", "");
        Map<String, String> labels = response.getConfig() == null || response.getConfig().getLabels() == null ? Map.of() : response.getConfig().getLabels();
        String image = response.getConfig() == null || response.getConfig().getImage() == null ? "" : response.getConfig().getImage();
        return new ContainerInfo(response.getId(), name, image, containerState, labels, publishedPorts, exitCode);
    }

    private static ContainerState parseState(String status)
    {
        if (status == null) {
            return ContainerState.UNKNOWN;
        }
        try {
            return ContainerState.valueOf(status.toUpperCase(Locale.ROOT));
        }
        catch (IllegalArgumentException e) {
            return ContainerState.UNKNOWN;
        }
    }
}
