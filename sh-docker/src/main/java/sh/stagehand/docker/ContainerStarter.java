package sh.stagehand.docker;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.Volume;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.docker.internal.ContainerFiles;
import sh.stagehand.docker.internal.TenantNetworks;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.ContainerSpec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * Creates and starts a container as a {@link ContainerSpec} says, confined as a tenant's code is:
 * no capability, no privilege gained through set-uid files, bounded memory, processes and CPU,
 * ports published on loopback alone, on the tenant's own network. Its files (secrets) are written
 * on the host and mounted read-only. Thread-safe.
 */
final class ContainerStarter
{
    // Where a container's files are kept on the host, deleted with it.
    static final String FILES_LABEL = "sh.stagehand.files";

    private static final Logger log = LoggerFactory.getLogger(ContainerStarter.class);
    private static final String LOOPBACK = "127.0.0.1";

    private final DockerConfig config;
    private final String instanceName;
    private final DockerEngine engine;
    private final TenantNetworks tenantNetworks;
    private final ContainerFiles containerFiles;
    private final UnaryOperator<String> imageUser;
    private final Consumer<String> remove;

    /**
     * @param imageUser the user an image runs as ({@code ""} for root)
     * @param remove removes a container, and its files
     */
    ContainerStarter(DockerConfig config, String instanceName, DockerEngine engine, TenantNetworks tenantNetworks, ContainerFiles containerFiles,
            UnaryOperator<String> imageUser, Consumer<String> remove)
    {
        this.config = requireNonNull(config, "config is null");
        this.instanceName = requireNonNull(instanceName, "instanceName is null");
        this.engine = requireNonNull(engine, "engine is null");
        this.tenantNetworks = requireNonNull(tenantNetworks, "tenantNetworks is null");
        this.containerFiles = requireNonNull(containerFiles, "containerFiles is null");
        this.imageUser = requireNonNull(imageUser, "imageUser is null");
        this.remove = requireNonNull(remove, "remove is null");
    }

    /**
     * @return the started container's id
     */
    String start(ContainerSpec spec)
    {
        Map<String, String> labels = new HashMap<>(spec.labels());
        labels.put(DockerRuntimeProvider.INSTANCE_LABEL, instanceName);

        // A tenant's code: no capability (Odoo needs none: it runs as a user, on a port above
        // 1024), no privilege gained through set-uid files, a bounded number of processes.
        // Secrets as files of the container's user, mounted read-only: in neither its environment
        // nor its command line, which inspect and the host's process list show.
        Optional<ContainerFiles.Written> written = Optional.empty();
        if (!spec.files().isEmpty()) {
            long[] owner = numericUser(spec.user().orElseGet(() -> imageUser.apply(spec.image())));
            written = Optional.of(containerFiles.write(spec.name(), spec.files(), owner[0], owner[1]));
            labels.put(FILES_LABEL, written.get().directory().toString());
        }
        List<Bind> files = written.map(files1 -> files1.mounts().entrySet().stream()
                        .map(file -> new Bind(file.getValue().toString(), new Volume(file.getKey()), AccessMode.ro))
                        .toList())
                .orElse(List.of());
        HostConfig hostConfig = HostConfig.newHostConfig()
                .withInit(true)
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges:true"))
                .withBinds(Stream.concat(spec.mounts().stream()
                                .map(mount -> new Bind(mount.source().toString(), new Volume(mount.target()), mount.readOnly() ? AccessMode.ro : AccessMode.rw)), files.stream())
                        .toList())
                .withPortBindings(spec.publishedPorts().stream()
                        .map(port -> new PortBinding(Ports.Binding.bindIp(LOOPBACK), ExposedPort.tcp(port)))
                        .toList());
        if (spec.memoryLimitBytes() > 0) {
            // and no swap beyond it
            hostConfig.withMemory(spec.memoryLimitBytes()).withMemorySwap(spec.memoryLimitBytes());
        }
        if (spec.pidsLimit() > 0) {
            hostConfig.withPidsLimit(spec.pidsLimit());
        }
        if (spec.cpuLimit() > 0) {
            hostConfig.withNanoCPUs((long) (spec.cpuLimit() * 1_000_000_000L));
        }
        spec.tenant().map(tenantNetworks::of).or(spec::network).or(config::network).ifPresent(hostConfig::withNetworkMode);

        List<String> environment = new ArrayList<>();
        spec.environment().forEach((name, value) -> environment.add(name + "=" + value));

        Optional<ContainerFiles.Written> createdFiles = written;
        String id;
        try {
            id = create(spec, labels, hostConfig, environment);
        }
        catch (RuntimeException e) {
            createdFiles.ifPresent(done -> containerFiles.delete(done.directory()));
            throw e;
        }
        try {
            engine.run("start container " + spec.name(), () -> engine.client().startContainerCmd(id).exec());
        }
        catch (RuntimeException e) {
            // Do not leave a created-but-never-started container behind under that name.
            remove.accept(id);
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Container " + spec.name() + " did not start: " + e.getMessage(), e);
        }
        log.debug("Started container {} ({}) from {}", spec.name(), id, spec.image());
        return id;
    }

    private String create(ContainerSpec spec, Map<String, String> labels, HostConfig hostConfig, List<String> environment)
    {
        return engine.call("create container " + spec.name(), () -> {
            CreateContainerCmd command = engine.client().createContainerCmd(spec.image())
                    .withName(spec.name())
                    .withEnv(environment)
                    .withLabels(labels)
                    .withExposedPorts(spec.publishedPorts().stream().map(ExposedPort::tcp).toList())
                    .withHostConfig(hostConfig);
            if (!spec.command().isEmpty()) {
                command.withCmd(spec.command());
            }
            spec.user().ifPresent(command::withUser);
            try {
                return command.exec().getId();
            }
            catch (ConflictException e) {
                throw new StagehandException(StandardErrorCode.ALREADY_EXISTS, "Cannot start container " + spec.name() + ": a container of that name exists; remove it or pick another name", e);
            }
            catch (NotFoundException e) {
                throw new StagehandException(StandardErrorCode.NOT_FOUND, "Cannot start container " + spec.name() + ": image " + spec.image()
                        + " does not exist on the engine (nothing is pulled implicitly); build or pull it first", e);
            }
        });
    }

    // "uid[:gid]" as numbers; a name (which only the image's passwd knows) cannot own files put in
    // before the container runs: the spec must then say the user.
    private static long[] numericUser(String user)
    {
        if (user.isEmpty()) {
            return new long[] {0, 0};
        }
        String[] parts = user.split(":", 2);
        if (!parts[0].matches("[0-9]+") || (parts.length == 2 && !parts[1].matches("[0-9]+"))) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "The image's user '" + user
                    + "' is a name: files written into its containers need the numeric uid:gid, given in the container spec");
        }
        long uid = Long.parseLong(parts[0]);
        return new long[] {uid, parts.length == 2 ? Long.parseLong(parts[1]) : uid};
    }
}
