package sh.stagehand.docker;

import com.github.dockerjava.api.command.LogContainerCmd;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Container;
import sh.stagehand.docker.internal.ContainerFiles;
import sh.stagehand.docker.internal.TenantNetworks;
import sh.stagehand.spi.ProviderFactory;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.ContainerInfo;
import sh.stagehand.spi.runtime.ContainerSpec;
import sh.stagehand.spi.runtime.ContainerStats;
import sh.stagehand.spi.runtime.ExecListener;
import sh.stagehand.spi.runtime.ExecSession;
import sh.stagehand.spi.runtime.ExecSpec;
import sh.stagehand.spi.runtime.ImageSpec;
import sh.stagehand.spi.runtime.LogFollow;
import sh.stagehand.spi.runtime.LogListener;
import sh.stagehand.spi.runtime.PreparedImage;
import sh.stagehand.spi.runtime.RuntimeProvider;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.docker.ContainerStarter.FILES_LABEL;

/**
 * Runs containers on a Docker engine through its HTTP API. Every container it starts carries the
 * label {@value #INSTANCE_LABEL} with the platform's instance name, and {@link #list} sees only
 * those, so platforms sharing an engine keep apart. Thread-safe.
 *
 * <p>Its parts: {@code DockerEngine} holds the connections to the engine and tells a failed call,
 * {@code ImageBuilder} prepares images (with {@code RecipeDockerfile} for their recipes),
 * {@code ContainerStarter} starts confined containers, {@code ContainerInfos} reads what the engine
 * says of one, {@code LogFrames} follows its log, and {@code DockerExecSession} is a terminal in it.
 */
public final class DockerRuntimeProvider
        implements RuntimeProvider
{
    public static final String INSTANCE_LABEL = "sh.stagehand.instance";

    /** {@code runtime.type=docker}; see {@link DockerConfig} for its keys. */
    public static final ProviderFactory<RuntimeProvider> FACTORY = ProviderFactory.of(RuntimeProvider.class, "docker", DockerConfig.KEYS,
            (config, context) -> new DockerRuntimeProvider(DockerConfig.fromMap(config), context.instanceName(), context.dataDirectory().resolve("container-files")));

    private final DockerConfig config;
    private final String instanceName;
    private final DockerEngine engine;
    private final ContainerStatsReader stats;
    private final ContainerFiles containerFiles;
    private final ImageBuilder images;
    private final ContainerStarter starter;

    /**
     * With the files written into containers kept under a directory of the system's temporary one.
     */
    public DockerRuntimeProvider(DockerConfig config, String instanceName)
    {
        this(config, instanceName, Path.of(System.getProperty("java.io.tmpdir"), "stagehand-container-files-" + instanceName));
    }

    /**
     * @param filesDirectory where the files a container spec gives are kept while their container
     *        exists (each container's in a directory of its own, mode 0700), mounted read-only
     */
    public DockerRuntimeProvider(DockerConfig config, String instanceName, Path filesDirectory)
    {
        this.config = requireNonNull(config, "config is null");
        this.instanceName = requireNonNull(instanceName, "instanceName is null");
        this.containerFiles = new ContainerFiles(filesDirectory);
        this.engine = new DockerEngine(config);
        this.stats = new ContainerStatsReader(engine);
        TenantNetworks tenantNetworks = new TenantNetworks(engine.client(), instanceName, INSTANCE_LABEL, config.tenantNetworkPool());
        this.images = new ImageBuilder(config, instanceName, engine, tenantNetworks);
        this.starter = new ContainerStarter(config, instanceName, engine, tenantNetworks, containerFiles, images::imageUser, this::remove);
        engine.ping();
        // The files of containers removed while the platform was down.
        containerFiles.deleteAllBut(list(Map.of()).stream()
                .map(container -> container.labels().get(FILES_LABEL))
                .filter(Objects::nonNull)
                .map(directory -> Path.of(directory).toAbsolutePath())
                .collect(Collectors.toSet()));
    }

    @Override
    public PreparedImage prepareImage(ImageSpec spec, LogListener pipLog)
    {
        requireNonNull(pipLog, "pipLog is null");
        return images.prepare(spec, pipLog);
    }

    @Override
    public boolean removeImage(String tag)
    {
        return engine.call("remove image " + tag, () -> {
            try {
                engine.client().removeImageCmd(tag).withForce(false).exec();
                return true;
            }
            catch (NotFoundException e) {
                return false;
            }
            catch (ConflictException e) {
                throw new StagehandException(StandardErrorCode.CONFLICT, "Image " + tag + " is still used by a container; remove the container first", e);
            }
        });
    }

    @Override
    public ContainerInfo start(ContainerSpec spec)
    {
        String id = starter.start(spec);
        return inspect(id).orElseThrow(() -> new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Container " + spec.name() + " vanished right after it started"));
    }

    @Override
    public Optional<ContainerInfo> inspect(String containerId)
    {
        requireNonNull(containerId, "containerId is null");
        return engine.call("inspect container " + containerId, () -> {
            try {
                return Optional.of(ContainerInfos.of(engine.client().inspectContainerCmd(containerId).exec()));
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
        List<Container> containers = engine.call("list containers", () -> engine.client().listContainersCmd()
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
        return followLogs(containerId, Optional.empty(), listener);
    }

    @Override
    public LogFollow followLogs(String containerId, Instant since, LogListener listener)
    {
        return followLogs(containerId, Optional.of(since), listener);
    }

    private LogFollow followLogs(String containerId, Optional<Instant> since, LogListener listener)
    {
        requireNonNull(listener, "listener is null");
        requireExists(containerId);
        LogFrames callback = new LogFrames(listener);
        engine.call("follow logs of container " + containerId, () -> {
            LogContainerCmd command = engine.streamingClient().logContainerCmd(containerId)
                    .withStdOut(true)
                    .withStdErr(true)
                    .withFollowStream(true);
            since.ifPresentOrElse(instant -> command.withSince((int) instant.getEpochSecond()), command::withTailAll);
            return command.exec(callback);
        });
        return callback;
    }

    @Override
    public ExecSession exec(String containerId, ExecSpec spec, ExecListener listener)
    {
        return DockerExecSession.start(engine, containerId, requireNonNull(spec, "spec is null"), requireNonNull(listener, "listener is null"));
    }

    @Override
    public int awaitExit(String containerId, Duration timeout)
    {
        requireExists(containerId);
        try (WaitContainerResultCallback callback = engine.streamingClient().waitContainerCmd(containerId).exec(new WaitContainerResultCallback())) {
            return callback.awaitStatusCode(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (DockerClientException e) {
            // docker-java wraps an interruption and clears the flag: restore it and say so.
            if (e.getCause() instanceof InterruptedException interrupted) {
                throw StagehandException.interrupted("waiting for container " + containerId + " to exit", interrupted);
            }
            if (inspect(containerId).map(info -> !info.state().isRunning()).orElse(false)) {
                throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Lost the wait for container " + containerId + ": " + e.getMessage(), e);
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
        engine.call("stop container " + containerId, () -> {
            try {
                engine.client().stopContainerCmd(containerId).withTimeout((int) Math.max(0, gracePeriod.toSeconds())).exec();
            }
            catch (NotModifiedException e) {
                // not running: nothing to do
            }
            return null;
        });
    }

    @Override
    public Optional<ContainerStats> stats(String containerId)
    {
        return stats.read(containerId);
    }

    @Override
    public boolean remove(String containerId)
    {
        requireNonNull(containerId, "containerId is null");
        return engine.call("remove container " + containerId, () -> {
            try {
                Optional<String> files = Optional.ofNullable(engine.client().inspectContainerCmd(containerId).exec().getConfig())
                        .flatMap(containerConfig -> Optional.ofNullable(containerConfig.getLabels()))
                        .flatMap(containerLabels -> Optional.ofNullable(containerLabels.get(FILES_LABEL)));
                engine.client().removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
                files.ifPresent(directory -> containerFiles.delete(Path.of(directory)));
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
        engine.close();
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
}
