package sh.stagehand.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.docker.DockerConfig;
import sh.stagehand.docker.DockerRuntimeProvider;
import sh.stagehand.spi.ProviderFactory;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.ContainerFile;
import sh.stagehand.spi.runtime.ContainerInfo;
import sh.stagehand.spi.runtime.ContainerSpec;
import sh.stagehand.spi.runtime.ContainerState;
import sh.stagehand.spi.runtime.ContainerStats;
import sh.stagehand.spi.runtime.ExecListener;
import sh.stagehand.spi.runtime.ExecSession;
import sh.stagehand.spi.runtime.ExecSpec;
import sh.stagehand.spi.runtime.ImageSpec;
import sh.stagehand.spi.runtime.LogFollow;
import sh.stagehand.spi.runtime.LogListener;
import sh.stagehand.spi.runtime.Mount;
import sh.stagehand.spi.runtime.PreparedImage;
import sh.stagehand.spi.runtime.RuntimeProvider;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.StreamSupport;

import static java.util.Objects.requireNonNull;

/**
 * A {@link RuntimeProvider} on a Docker Swarm: each container is a service of one replica on a
 * worker, its ID the container's ID, stable when Swarm moves its task to another node.
 * <ul>
 * <li>Confined as on one engine: no capability, its process and memory limits, an init process;
 *     no privilege gained through set-uid files is the nodes' own rule ({@code dockerd
 *     --no-new-privileges}, as {@code bin/swarm-up} starts them).</li>
 * <li>Its files ({@link ContainerFile}) are Swarm secrets mounted where the spec says, the
 *     container's user's, removed with it: never in its environment or command line.</li>
 * <li>A tenant's containers share an attachable overlay network of the tenant's, which no other
 *     tenant's container is on.</li>
 * <li>Ports are published in host mode (this kernel has no routing mesh): a container's
 *     {@link ContainerInfo#host()} is the address of the node that runs it. A container that
 *     publishes a port serves, and is started again (on another node when its node is drained);
 *     one that does not runs to its end once.</li>
 * <li>Images are built on the manager's engine ({@link DockerRuntimeProvider}'s recipe and
 *     confinement) and pushed to the cluster's registry, where the nodes pull them; a container's
 *     image is the registry's copy of the one named (pushed from the manager when the registry
 *     lacks it).</li>
 * <li>Exec, stats and logs go to the engine of the node that runs the task.</li>
 * </ul>
 * Thread-safe.
 */
public final class SwarmRuntimeProvider
        implements RuntimeProvider
{
    private static final Logger log = LoggerFactory.getLogger(SwarmRuntimeProvider.class);

    public static final ProviderFactory<RuntimeProvider> FACTORY = ProviderFactory.of(RuntimeProvider.class, "swarm", SwarmConfig.KEYS,
            (config, context) -> new SwarmRuntimeProvider(SwarmConfig.fromMap(config), context.instanceName()));

    static final String SERVICE_LABEL = "sh.stagehand.swarm.service";
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Set<String> ENDED = Set.of("complete", "failed", "shutdown", "rejected", "orphaned", "remove");

    private final SwarmConfig config;
    private final String instanceName;
    private final EngineApi manager;
    private final DockerRuntimeProvider managerEngine;
    private final RegistryClient registry;
    private final Map<String, DockerRuntimeProvider> nodeEngines = new ConcurrentHashMap<>();
    private final Map<String, String> nodeAddresses = new ConcurrentHashMap<>();

    public SwarmRuntimeProvider(SwarmConfig config, String instanceName)
    {
        this.config = requireNonNull(config, "config is null");
        this.instanceName = requireNonNull(instanceName, "instanceName is null");
        this.manager = new EngineApi(config.manager(), config.apiTimeout());
        this.registry = new RegistryClient(config.registry());
        JsonNode swarm = manager.get("/info").body().path("Swarm");
        if (!swarm.path("ControlAvailable").asBoolean(false)) {
            manager.close();
            throw new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE, "The engine at " + config.manager() + " is no Swarm manager (" + swarm.path("LocalNodeState").asText("no answer")
                    + "): point " + SwarmConfig.MANAGER + " at one (bin/swarm-up makes a cluster)");
        }
        this.managerEngine = new DockerRuntimeProvider(DockerConfig.fromMap(Map.of("docker.host", config.manager().toString(),
                "docker.api-timeout", config.apiTimeout().toSeconds() + "s")), instanceName);
    }

    @Override
    public PreparedImage prepareImage(ImageSpec spec, LogListener pipLog)
    {
        ensureOnManager(spec.baseImage());
        PreparedImage prepared = managerEngine.prepareImage(spec, pipLog);
        push(prepared.tag());
        return prepared;
    }

    @Override
    public boolean removeImage(String tag)
    {
        boolean removed = registry.delete(tag);
        removed |= managerEngine.removeImage(qualified(tag));
        return managerEngine.removeImage(tag) || removed;
    }

    @Override
    public ContainerInfo start(ContainerSpec spec)
    {
        requireNonNull(spec, "spec is null");
        String image = distribute(spec.image(), spec.name());
        List<String> secrets = new ArrayList<>();
        String serviceId;
        try {
            ObjectNode service = serviceSpec(spec, image, secrets);
            EngineApi.Answer created = manager.post("/services/create", service);
            if (created.status() == 409) {
                throw new StagehandException(StandardErrorCode.ALREADY_EXISTS, "Cannot start container " + spec.name() + ": a container of that name exists; remove it or pick another name");
            }
            if (!created.ok()) {
                throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "The Swarm refused to start container " + spec.name() + ": " + created.message());
            }
            serviceId = created.body().path("ID").asText();
        }
        catch (RuntimeException e) {
            secrets.forEach(secret -> manager.delete("/secrets/" + secret));
            throw e;
        }
        // Started once its task's container runs (or ran): what follows may ask for its logs and stats.
        Instant deadline = Instant.now().plus(config.startTimeout());
        while (true) {
            Optional<JsonNode> task = currentTask(serviceId);
            String state = task.map(found -> found.path("Status").path("State").asText()).orElse("new");
            boolean hasContainer = task.map(found -> !found.path("Status").path("ContainerStatus").path("ContainerID").asText().isEmpty()).orElse(false);
            if (hasContainer && (state.equals("running") || ENDED.contains(state))) {
                return inspect(serviceId).orElseThrow(() -> new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Container " + spec.name() + " vanished right after it started"));
            }
            if (!hasContainer && Set.of("failed", "rejected").contains(state)) {
                String error = task.map(found -> found.path("Status").path("Err").asText("")).orElse("");
                remove(serviceId);
                throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Container " + spec.name() + " did not start on the Swarm: " + error);
            }
            if (Instant.now().isAfter(deadline)) {
                remove(serviceId);
                throw new StagehandException(StandardErrorCode.TIMEOUT, "Container " + spec.name() + " did not start on the Swarm within " + config.startTimeout().toSeconds()
                        + " s (its task is " + state + ")");
            }
            pause();
        }
    }

    @Override
    public Optional<ContainerInfo> inspect(String containerId)
    {
        requireNonNull(containerId, "containerId is null");
        EngineApi.Answer answer = manager.get("/services/" + containerId);
        if (answer.status() == 404 || (answer.ok() && !instanceName.equals(answer.body().path("Spec").path("Labels").path(INSTANCE_LABEL).asText()))) {
            return Optional.empty();
        }
        requireOk(answer, "inspect container " + containerId);
        JsonNode service = answer.body();
        Map<String, String> labels = new HashMap<>();
        service.path("Spec").path("Labels").fields().forEachRemaining(label -> labels.put(label.getKey(), label.getValue().asText()));
        String name = service.path("Spec").path("Name").asText();
        String image = labels.getOrDefault(IMAGE_LABEL, service.path("Spec").path("TaskTemplate").path("ContainerSpec").path("Image").asText());
        Optional<JsonNode> task = currentTask(service.path("ID").asText());
        if (task.isEmpty()) {
            return Optional.of(new ContainerInfo(service.path("ID").asText(), name, image, ContainerState.CREATED, labels, Map.of(), Optional.empty()));
        }
        JsonNode status = task.get().path("Status");
        String state = status.path("State").asText();
        ContainerState containerState = state.equals("running") ? ContainerState.RUNNING : ENDED.contains(state) ? ContainerState.EXITED : ContainerState.CREATED;
        Optional<Integer> exitCode = containerState == ContainerState.EXITED
                ? Optional.of(status.path("ContainerStatus").path("ExitCode").asInt(state.equals("complete") ? 0 : 1))
                : Optional.empty();
        Map<Integer, Integer> ports = new LinkedHashMap<>();
        if (containerState == ContainerState.RUNNING) {
            status.path("PortStatus").path("Ports").forEach(port -> ports.put(port.path("TargetPort").asInt(), port.path("PublishedPort").asInt()));
        }
        String host = nodeAddress(task.get().path("NodeID").asText()).orElse(ContainerInfo.LOOPBACK);
        return Optional.of(new ContainerInfo(service.path("ID").asText(), name, image, containerState, labels, ports, exitCode, host));
    }

    @Override
    public List<ContainerInfo> list(Map<String, String> labels)
    {
        List<String> filter = new ArrayList<>();
        labels.forEach((key, value) -> filter.add(key + "=" + value));
        filter.add(INSTANCE_LABEL + "=" + instanceName);
        EngineApi.Answer answer = manager.get("/services" + EngineApi.filters(Map.of("label", filter)));
        requireOk(answer, "list containers");
        return StreamSupport.stream(answer.body().spliterator(), false)
                .map(service -> inspect(service.path("ID").asText()))
                .flatMap(Optional::stream)
                .toList();
    }

    @Override
    public LogFollow followLogs(String containerId, LogListener listener)
    {
        Task task = requireTask(containerId);
        return task.engine().followLogs(task.containerId(), listener);
    }

    @Override
    public LogFollow followLogs(String containerId, Instant since, LogListener listener)
    {
        Task task = requireTask(containerId);
        return task.engine().followLogs(task.containerId(), since, listener);
    }

    @Override
    public ExecSession exec(String containerId, ExecSpec spec, ExecListener listener)
    {
        Task task = requireTask(containerId);
        return task.engine().exec(task.containerId(), spec, listener);
    }

    @Override
    public int awaitExit(String containerId, Duration timeout)
    {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            ContainerInfo container = inspect(containerId).orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "No container " + containerId));
            if (container.state() == ContainerState.EXITED) {
                return container.exitCode().orElse(-1);
            }
            if (Instant.now().isAfter(deadline)) {
                throw new StagehandException(StandardErrorCode.TIMEOUT, "Container " + containerId + " still runs after " + timeout);
            }
            pause();
        }
    }

    @Override
    public void stop(String containerId, Duration gracePeriod)
    {
        EngineApi.Answer answer = manager.get("/services/" + containerId);
        if (answer.status() == 404) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No container " + containerId);
        }
        requireOk(answer, "stop container " + containerId);
        JsonNode spec = answer.body().path("Spec");
        if (spec.path("Mode").path("Replicated").path("Replicas").asInt(1) != 0) {
            ObjectNode stopped = spec.deepCopy();
            ((ObjectNode) stopped.path("Mode").path("Replicated")).put("Replicas", 0);
            ((ObjectNode) stopped.path("TaskTemplate").path("ContainerSpec")).put("StopGracePeriod", Math.max(0, gracePeriod.toNanos()));
            requireOk(manager.post("/services/" + containerId + "/update?version=" + answer.body().path("Version").path("Index").asLong(), stopped), "stop container " + containerId);
        }
        // Stopped once its task's container no longer runs.
        Instant deadline = Instant.now().plus(gracePeriod).plus(config.apiTimeout());
        while (inspect(containerId).map(info -> info.state() != ContainerState.EXITED).orElse(false) && Instant.now().isBefore(deadline)) {
            pause();
        }
    }

    @Override
    public Optional<ContainerStats> stats(String containerId)
    {
        if (inspect(containerId).isEmpty()) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No container " + containerId);
        }
        return task(containerId).flatMap(task -> task.engine().stats(task.containerId()));
    }

    @Override
    public boolean remove(String containerId)
    {
        Optional<ContainerInfo> container = inspect(containerId);
        if (container.isEmpty()) {
            return false;
        }
        Optional<Task> task = task(containerId);
        EngineApi.Answer removed = manager.delete("/services/" + containerId);
        if (removed.status() != 404) {
            requireOk(removed, "remove container " + containerId);
        }
        EngineApi.Answer secrets = manager.get("/secrets" + EngineApi.filters(Map.of("label", List.of(SERVICE_LABEL + "=" + container.get().name(), INSTANCE_LABEL + "=" + instanceName))));
        if (secrets.ok() && !secrets.body().isEmpty()) {
            // A secret is removed once no task uses it: the task's container goes first.
            task.ifPresent(this::awaitRemoved);
            secrets.body().forEach(secret -> manager.delete("/secrets/" + secret.path("ID").asText()));
        }
        return removed.ok();
    }

    @Override
    public void close()
    {
        nodeEngines.values().forEach(DockerRuntimeProvider::close);
        managerEngine.close();
        manager.close();
    }

    @Override
    public String toString()
    {
        return "Swarm runtime at " + config.manager();
    }

    /** A label of every service and container this platform starts. */
    public static final String INSTANCE_LABEL = DockerRuntimeProvider.INSTANCE_LABEL;
    // The image as the spec named it (the service runs the registry's copy).
    private static final String IMAGE_LABEL = "sh.stagehand.swarm.image";

    private ObjectNode serviceSpec(ContainerSpec spec, String image, List<String> secrets)
    {
        ObjectNode service = EngineApi.JSON.createObjectNode();
        service.put("Name", spec.name());
        ObjectNode labels = service.putObject("Labels");
        spec.labels().forEach(labels::put);
        labels.put(INSTANCE_LABEL, instanceName);
        labels.put(IMAGE_LABEL, spec.image());

        ObjectNode task = service.putObject("TaskTemplate");
        ObjectNode container = task.putObject("ContainerSpec");
        container.put("Image", image);
        if (!spec.command().isEmpty()) {
            ArrayNode args = container.putArray("Args");
            spec.command().forEach(args::add);
        }
        ArrayNode environment = container.putArray("Env");
        spec.environment().forEach((key, value) -> environment.add(key + "=" + value));
        ObjectNode containerLabels = container.putObject("Labels");
        spec.labels().forEach(containerLabels::put);
        containerLabels.put(INSTANCE_LABEL, instanceName);
        containerLabels.put(SERVICE_LABEL, spec.name());
        spec.user().ifPresent(user -> container.put("User", user));
        container.put("Init", true);
        container.putArray("CapabilityDrop").add("ALL");
        container.put("StopGracePeriod", Duration.ofSeconds(10).toNanos());
        ArrayNode mounts = container.putArray("Mounts");
        for (Mount mount : spec.mounts()) {
            mounts.addObject().put("Type", "bind").put("Source", mount.source().toAbsolutePath().toString()).put("Target", mount.target()).put("ReadOnly", mount.readOnly());
        }
        ArrayNode secretReferences = container.putArray("Secrets");
        String[] owner = numericUser(spec.user().orElse("0:0"));
        for (ContainerFile file : spec.files()) {
            String secretName = (spec.name() + "-" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
            ObjectNode secret = EngineApi.JSON.createObjectNode();
            secret.put("Name", secretName);
            secret.put("Data", Base64.getEncoder().encodeToString(file.content().getBytes(StandardCharsets.UTF_8)));
            secret.putObject("Labels").put(INSTANCE_LABEL, instanceName).put(SERVICE_LABEL, spec.name());
            EngineApi.Answer created = manager.post("/secrets/create", secret);
            requireOk(created, "keep a file of container " + spec.name());
            String secretId = created.body().path("ID").asText();
            secrets.add(secretId);
            ObjectNode reference = secretReferences.addObject();
            reference.put("SecretID", secretId).put("SecretName", secretName);
            reference.putObject("File").put("Name", file.path()).put("UID", owner[0]).put("GID", owner[1]).put("Mode", file.mode());
        }

        ObjectNode limits = task.putObject("Resources").putObject("Limits");
        if (spec.memoryLimitBytes() > 0) {
            limits.put("MemoryBytes", spec.memoryLimitBytes());
        }
        if (spec.cpuLimit() > 0) {
            limits.put("NanoCPUs", (long) (spec.cpuLimit() * 1_000_000_000L));
        }
        if (spec.pidsLimit() > 0) {
            limits.put("Pids", spec.pidsLimit());
        }
        // A server is kept running, on another node when its node is drained; the rest runs once.
        boolean serves = !spec.publishedPorts().isEmpty();
        task.putObject("RestartPolicy").put("Condition", serves ? "any" : "none").put("Delay", Duration.ofSeconds(1).toNanos());
        task.putObject("Placement").putArray("Constraints").add("node.role==worker");
        Optional<String> network = spec.tenant().map(this::tenantNetwork).or(spec::network);
        network.ifPresent(name -> task.putArray("Networks").addObject().put("Target", name));

        service.putObject("Mode").putObject("Replicated").put("Replicas", 1);
        ArrayNode ports = service.putObject("EndpointSpec").putArray("Ports");
        for (int port : spec.publishedPorts()) {
            ports.addObject().put("Protocol", "tcp").put("TargetPort", port).put("PublishMode", "host");
        }
        return service;
    }

    // The tenant's overlay network, made the first time: attachable, so that one-off tasks join it too.
    private String tenantNetwork(String tenant)
    {
        String name = (instanceName + "-t-" + tenant).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_.-]", "-");
        EngineApi.Answer existing = manager.get("/networks/" + name);
        if (existing.ok()) {
            return name;
        }
        ObjectNode network = EngineApi.JSON.createObjectNode();
        network.put("Name", name).put("Driver", "overlay").put("Attachable", true).put("CheckDuplicate", true);
        network.putObject("Labels").put(INSTANCE_LABEL, instanceName).put("sh.stagehand.tenant", tenant);
        EngineApi.Answer created = manager.post("/networks/create", network);
        if (!created.ok() && created.status() != 409) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot make the network of tenant " + tenant + ": " + created.message());
        }
        return name;
    }

    // The registry's copy of an image, pushed from the manager when the registry lacks it.
    private String distribute(String image, String container)
    {
        if (!registry.has(image)) {
            EngineApi.Answer local = manager.get("/images/" + image + "/json");
            if (local.status() == 404) {
                throw new StagehandException(StandardErrorCode.NOT_FOUND, "Cannot start container " + container + ": image " + image
                        + " is neither in the cluster's registry nor on its manager (nothing is pulled implicitly); build or load it there first");
            }
            requireOk(local, "read image " + image);
            push(image);
        }
        return qualified(image);
    }

    private void push(String image)
    {
        int colon = image.lastIndexOf(':');
        String repository = colon > image.lastIndexOf('/') ? image.substring(0, colon) : image;
        String tag = colon > image.lastIndexOf('/') ? image.substring(colon + 1) : "latest";
        requireOk(manager.post("/images/" + image + "/tag?repo=" + config.registry() + "/" + repository + "&tag=" + tag, null), "tag image " + image);
        // {} as X-Registry-Auth: the cluster's registry asks for no credentials.
        EngineApi.Answer pushed = manager.post("/images/" + config.registry() + "/" + repository + "/push?tag=" + tag, null, Map.of("X-Registry-Auth", "e30="));
        if (!pushed.ok() || pushed.body().has("error")) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot push image " + image + " to the registry " + config.registry() + ": " + pushed.message());
        }
        log.debug("Pushed {} to {}", image, config.registry());
    }

    // The manager builds on a base image it has: the registry's copy, pulled and named as asked.
    private void ensureOnManager(String image)
    {
        if (manager.get("/images/" + image + "/json").ok() || !registry.has(image)) {
            return;
        }
        int colon = image.lastIndexOf(':');
        String repository = colon > image.lastIndexOf('/') ? image.substring(0, colon) : image;
        String tag = colon > image.lastIndexOf('/') ? image.substring(colon + 1) : "latest";
        EngineApi.Answer pulled = manager.post("/images/create?fromImage=" + config.registry() + "/" + repository + "&tag=" + tag, null, Map.of("X-Registry-Auth", "e30="));
        if (!pulled.ok() || pulled.body().has("error")) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot pull " + image + " from the registry " + config.registry() + ": " + pulled.message());
        }
        requireOk(manager.post("/images/" + qualified(image) + "/tag?repo=" + repository + "&tag=" + tag, null), "name image " + image);
    }

    private String qualified(String image)
    {
        return image.startsWith(config.registry() + "/") ? image : config.registry() + "/" + image;
    }

    private record Task(String containerId, DockerRuntimeProvider engine) {}

    private Task requireTask(String containerId)
    {
        if (inspect(containerId).isEmpty()) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No container " + containerId);
        }
        return task(containerId).orElseThrow(() -> new StagehandException(StandardErrorCode.CONFLICT, "Container " + containerId + " has no task on a node yet"));
    }

    // The current task's container, on its node's engine.
    private Optional<Task> task(String serviceId)
    {
        return currentTask(serviceId).flatMap(task -> {
            String containerId = task.path("Status").path("ContainerStatus").path("ContainerID").asText();
            if (containerId.isEmpty()) {
                return Optional.empty();
            }
            return nodeAddress(task.path("NodeID").asText()).map(address -> new Task(containerId, nodeEngine(address)));
        });
    }

    // The newest task of the service: the one Swarm runs now, or ran last.
    private Optional<JsonNode> currentTask(String serviceId)
    {
        EngineApi.Answer answer = manager.get("/tasks" + EngineApi.filters(Map.of("service", List.of(serviceId))));
        if (!answer.ok()) {
            return Optional.empty();
        }
        return StreamSupport.stream(answer.body().spliterator(), false)
                .max(Comparator.comparing((JsonNode task) -> task.path("DesiredState").asText().equals("running"))
                        .thenComparing(task -> task.path("CreatedAt").asText()));
    }

    private Optional<String> nodeAddress(String nodeId)
    {
        if (nodeId.isEmpty()) {
            return Optional.empty();
        }
        String known = nodeAddresses.get(nodeId);
        if (known != null) {
            return Optional.of(known);
        }
        EngineApi.Answer node = manager.get("/nodes/" + nodeId);
        if (!node.ok()) {
            return Optional.empty();
        }
        String address = node.body().path("Status").path("Addr").asText();
        nodeAddresses.put(nodeId, address);
        return Optional.of(address);
    }

    private DockerRuntimeProvider nodeEngine(String address)
    {
        return nodeEngines.computeIfAbsent(address, key -> {
            URI engine = config.nodes().get(key);
            if (engine == null) {
                throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "The Swarm node at " + key + " has no engine in " + SwarmConfig.NODES
                        + ": add " + key + "=ENGINE to it");
            }
            return new DockerRuntimeProvider(DockerConfig.fromMap(Map.of("docker.host", engine.toString(), "docker.api-timeout", config.apiTimeout().toSeconds() + "s")), instanceName);
        });
    }

    private void awaitRemoved(Task task)
    {
        Instant deadline = Instant.now().plus(config.apiTimeout());
        while (task.engine().inspect(task.containerId()).isPresent() && Instant.now().isBefore(deadline)) {
            pause();
        }
    }

    private static String[] numericUser(String user)
    {
        String[] parts = user.split(":", 2);
        if (!parts[0].matches("[0-9]+") || (parts.length == 2 && !parts[1].matches("[0-9]+"))) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "The container's user '" + user
                    + "' is a name: files written into its containers need the numeric uid:gid, given in the container spec");
        }
        return new String[] {parts[0], parts.length == 2 ? parts[1] : parts[0]};
    }

    private static void requireOk(EngineApi.Answer answer, String action)
    {
        if (!answer.ok()) {
            throw new StagehandException(answer.status() == 404 ? StandardErrorCode.NOT_FOUND : StandardErrorCode.PROVIDER_ERROR,
                    "The Swarm refused to " + action + ": " + answer.message());
        }
    }

    private static void pause()
    {
        try {
            Thread.sleep(POLL.toMillis());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw StagehandException.interrupted("waiting for the Swarm", e);
        }
    }
}
