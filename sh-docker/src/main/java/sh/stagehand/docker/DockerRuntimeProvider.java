package sh.stagehand.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.docker.internal.LineSplitter;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.ContainerInfo;
import sh.stagehand.spi.runtime.ContainerSpec;
import sh.stagehand.spi.runtime.ContainerState;
import sh.stagehand.spi.runtime.LogFollow;
import sh.stagehand.spi.runtime.LogLine;
import sh.stagehand.spi.runtime.LogListener;
import sh.stagehand.spi.runtime.RuntimeProvider;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Runs containers on a Docker engine through its HTTP API. Every container it starts carries the
 * label {@value #INSTANCE_LABEL} with the platform's instance name, and {@link #list} sees only
 * those, so platforms sharing an engine keep apart. Thread-safe.
 */
public final class DockerRuntimeProvider
        implements RuntimeProvider
{
    public static final String INSTANCE_LABEL = "sh.stagehand.instance";
    private static final Logger log = LoggerFactory.getLogger(DockerRuntimeProvider.class);
    private static final String LOOPBACK = "127.0.0.1";

    private final DockerConfig config;
    private final String instanceName;
    private final DockerClient client;

    public DockerRuntimeProvider(DockerConfig config, String instanceName)
    {
        this.config = requireNonNull(config, "config is null");
        this.instanceName = requireNonNull(instanceName, "instanceName is null");
        DockerClientConfig clientConfig = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(config.host().toString())
                .build();
        ZerodepDockerHttpClient httpClient = new ZerodepDockerHttpClient.Builder()
                .dockerHost(clientConfig.getDockerHost())
                .sslConfig(clientConfig.getSSLConfig())
                .maxConnections(64)
                .connectionTimeout(Duration.ofSeconds(10))
                .responseTimeout(config.apiTimeout())
                .build();
        this.client = DockerClientImpl.getInstance(clientConfig, httpClient);
        try {
            client.pingCmd().exec();
        }
        catch (RuntimeException e) {
            close();
            throw new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE,
                    "Cannot reach the Docker engine at " + config.host() + ": " + e.getMessage() + ". Start dockerd, or point " + DockerConfig.HOST + " at a running engine", e);
        }
    }

    @Override
    public ContainerInfo start(ContainerSpec spec)
    {
        Map<String, String> labels = new HashMap<>(spec.labels());
        labels.put(INSTANCE_LABEL, instanceName);

        HostConfig hostConfig = HostConfig.newHostConfig()
                .withInit(true)
                .withBinds(spec.mounts().stream()
                        .map(mount -> new Bind(mount.source().toString(), new Volume(mount.target()), mount.readOnly() ? AccessMode.ro : AccessMode.rw))
                        .toList())
                .withPortBindings(spec.publishedPorts().stream()
                        .map(port -> new PortBinding(Ports.Binding.bindIp(LOOPBACK), ExposedPort.tcp(port)))
                        .toList());
        if (spec.memoryLimitBytes() > 0) {
            hostConfig.withMemory(spec.memoryLimitBytes());
        }
        if (spec.cpuLimit() > 0) {
            hostConfig.withNanoCPUs((long) (spec.cpuLimit() * 1_000_000_000L));
        }
        spec.network().or(config::network).ifPresent(hostConfig::withNetworkMode);

        List<String> environment = new ArrayList<>();
        spec.environment().forEach((name, value) -> environment.add(name + "=" + value));

        String id = call("create container " + spec.name(), () -> {
            CreateContainerCmd command = client.createContainerCmd(spec.image())
                    .withName(spec.name())
                    .withEnv(environment)
                    .withLabels(labels)
                    .withExposedPorts(spec.publishedPorts().stream().map(ExposedPort::tcp).toList())
                    .withHostConfig(hostConfig);
            if (!spec.command().isEmpty()) {
                command.withCmd(spec.command());
            }
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
        try {
            run("start container " + spec.name(), () -> client.startContainerCmd(id).exec());
        }
        catch (RuntimeException e) {
            // Do not leave a created-but-never-started container behind under that name.
            remove(id);
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Container " + spec.name() + " did not start: " + e.getMessage(), e);
        }
        log.debug("Started container {} ({}) from {}", spec.name(), id, spec.image());
        return inspect(id).orElseThrow(() -> new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Container " + spec.name() + " vanished right after it started"));
    }

    @Override
    public Optional<ContainerInfo> inspect(String containerId)
    {
        requireNonNull(containerId, "containerId is null");
        return call("inspect container " + containerId, () -> {
            try {
                return Optional.of(toContainerInfo(client.inspectContainerCmd(containerId).exec()));
            }
            catch (NotFoundException e) {
                return Optional.empty();
            }
        });
    }

    @Override
    public List<ContainerInfo> list(Map<String, String> labels)
    {
        Map<String, String> filter = new HashMap<>(labels);
        filter.put(INSTANCE_LABEL, instanceName);
        List<Container> containers = call("list containers", () -> client.listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(filter)
                .exec());
        // Inspect each one: the list answer lacks exit codes and reports ports loosely.
        return containers.stream()
                .map(container -> inspect(container.getId()))
                .flatMap(Optional::stream)
                .toList();
    }

    @Override
    public LogFollow followLogs(String containerId, LogListener listener)
    {
        requireNonNull(listener, "listener is null");
        requireExists(containerId);
        FrameCallback callback = new FrameCallback(listener);
        call("follow logs of container " + containerId, () -> client.logContainerCmd(containerId)
                .withStdOut(true)
                .withStdErr(true)
                .withFollowStream(true)
                .withTailAll()
                .exec(callback));
        return callback;
    }

    @Override
    public int awaitExit(String containerId, Duration timeout)
    {
        requireExists(containerId);
        try (WaitContainerResultCallback callback = client.waitContainerCmd(containerId).exec(new WaitContainerResultCallback())) {
            return callback.awaitStatusCode(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (DockerClientException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new StagehandException(StandardErrorCode.INTERRUPTED, "Interrupted while waiting for container " + containerId + " to exit", e);
            }
            throw new StagehandException(StandardErrorCode.TIMEOUT, "Container " + containerId + " still runs after " + timeout, e);
        }
        catch (NotFoundException e) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No container " + containerId + " (removed while waiting for it?)", e);
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot wait for container " + containerId + ": " + e, e);
        }
    }

    @Override
    public void stop(String containerId, Duration gracePeriod)
    {
        requireExists(containerId);
        call("stop container " + containerId, () -> {
            try {
                client.stopContainerCmd(containerId).withTimeout((int) Math.max(0, gracePeriod.toSeconds())).exec();
            }
            catch (NotModifiedException e) {
                // not running: nothing to do
            }
            return null;
        });
    }

    @Override
    public boolean remove(String containerId)
    {
        requireNonNull(containerId, "containerId is null");
        return call("remove container " + containerId, () -> {
            try {
                client.removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
                return true;
            }
            catch (NotFoundException e) {
                return false;
            }
            catch (ConflictException e) {
                // "removal already in progress": another caller is removing it
                if (String.valueOf(e.getMessage()).contains("already in progress")) {
                    return false;
                }
                throw e;
            }
        });
    }

    @Override
    public void close()
    {
        try {
            client.close();
        }
        catch (IOException e) {
            log.warn("Failed to close the Docker client", e);
        }
    }

    @Override
    public String toString()
    {
        return "DockerRuntimeProvider[" + config.host() + "]";
    }

    private void requireExists(String containerId)
    {
        if (inspect(containerId).isEmpty()) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No container " + containerId + " on the Docker engine at " + config.host());
        }
    }

    private <T> T call(String action, Supplier<T> operation)
    {
        try {
            return operation.get();
        }
        catch (StagehandException e) {
            throw e;
        }
        catch (DockerException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Docker engine refused to " + action + ": " + e.getMessage(), e);
        }
        catch (RuntimeException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE, "Cannot " + action + " on the Docker engine at " + config.host() + ": " + e
                    + ". Check that dockerd runs", e);
        }
    }

    private void run(String action, Runnable operation)
    {
        call(action, () -> {
            operation.run();
            return null;
        });
    }

    private static ContainerInfo toContainerInfo(InspectContainerResponse response)
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

    private static final class FrameCallback
            extends ResultCallback.Adapter<Frame>
            implements LogFollow
    {
        private final LogListener listener;
        private final LineSplitter stdout;
        private final LineSplitter stderr;
        private volatile boolean closed;

        FrameCallback(LogListener listener)
        {
            this.listener = listener;
            this.stdout = new LineSplitter(text -> deliver(LogLine.Stream.STDOUT, text));
            this.stderr = new LineSplitter(text -> deliver(LogLine.Stream.STDERR, text));
        }

        @Override
        public void onNext(Frame frame)
        {
            (frame.getStreamType() == StreamType.STDERR ? stderr : stdout).accept(frame.getPayload());
        }

        @Override
        public void onComplete()
        {
            stdout.finish();
            stderr.finish();
            super.onComplete();
        }

        @Override
        public void onError(Throwable throwable)
        {
            if (!closed) {
                log.warn("Log stream failed", throwable);
            }
            stdout.finish();
            stderr.finish();
            super.onError(throwable);
        }

        private void deliver(LogLine.Stream stream, String text)
        {
            if (closed) {
                return;
            }
            try {
                listener.onLine(new LogLine(stream, text));
            }
            catch (RuntimeException e) {
                log.warn("Log listener failed on a line; the stream goes on", e);
            }
        }

        @Override
        public boolean awaitCompletion(Duration timeout)
        {
            try {
                return super.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            catch (InterruptedException e) {
                throw StagehandException.interrupted("following a container's logs", e);
            }
        }

        @Override
        public void close()
        {
            closed = true;
            try {
                super.close();
            }
            catch (IOException e) {
                log.debug("Failed to close a log stream", e);
            }
        }
    }
}
