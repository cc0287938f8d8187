package sh.stagehand.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.LogContainerCmd;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.BuildResponseItem;
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
import sh.stagehand.docker.internal.BuildContext;
import sh.stagehand.docker.internal.ContainerFiles;
import sh.stagehand.docker.internal.TenantNetworks;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.runtime.ContainerInfo;
import sh.stagehand.spi.runtime.ContainerSpec;
import sh.stagehand.spi.runtime.ContainerState;
import sh.stagehand.spi.runtime.ImageSpec;
import sh.stagehand.spi.runtime.LineSplitter;
import sh.stagehand.spi.runtime.LogFollow;
import sh.stagehand.spi.runtime.LogLine;
import sh.stagehand.spi.runtime.LogListener;
import sh.stagehand.spi.runtime.PreparedImage;
import sh.stagehand.spi.runtime.RuntimeProvider;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;

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
    // Where a container's files are kept on the host, deleted with it.
    private static final String FILES_LABEL = "sh.stagehand.files";
    private static final Logger log = LoggerFactory.getLogger(DockerRuntimeProvider.class);
    private static final String LOOPBACK = "127.0.0.1";
    private static final String REQUIREMENTS_REPOSITORY = "stagehand/requirements";
    // pip installs under this root (--root) as it would install into the image, and only what it added is copied.
    private static final String PIP_ROOT = "/tmp/stagehand-pip-root";
    private static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9_./-]+");

    private final DockerConfig config;
    private final String instanceName;
    private final DockerClient client;
    // For the calls whose answer is a stream that may stay silent for long (waiting for an install,
    // following an idle server's log, a quiet pip run): the response timeout would cut them off.
    private final DockerClient streamingClient;
    private final TenantNetworks tenantNetworks;
    private final ContainerFiles containerFiles;

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
        this.client = newClient(config, config.apiTimeout());
        this.streamingClient = newClient(config, Duration.ZERO);
        this.tenantNetworks = new TenantNetworks(client, instanceName, INSTANCE_LABEL, config.tenantNetworkPool());
        try {
            client.pingCmd().exec();
        }
        catch (RuntimeException e) {
            close();
            throw new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE,
                    "Cannot reach the Docker engine at " + config.host() + ": " + e.getMessage() + ". Start dockerd, or point " + DockerConfig.HOST + " at a running engine", e);
        }
        // The files of containers removed while the platform was down.
        containerFiles.deleteAllBut(list(Map.of()).stream()
                .map(container -> container.labels().get(FILES_LABEL))
                .filter(java.util.Objects::nonNull)
                .map(directory -> Path.of(directory).toAbsolutePath())
                .collect(java.util.stream.Collectors.toSet()));
    }

    private static DockerClient newClient(DockerConfig config, Duration responseTimeout)
    {
        DockerClientConfig clientConfig = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(config.host().toString())
                .build();
        ZerodepDockerHttpClient httpClient = new ZerodepDockerHttpClient.Builder()
                .dockerHost(clientConfig.getDockerHost())
                .sslConfig(clientConfig.getSSLConfig())
                .maxConnections(64)
                .connectionTimeout(Duration.ofSeconds(10))
                // zero: no limit
                .responseTimeout(responseTimeout)
                .build();
        return DockerClientImpl.getInstance(clientConfig, httpClient);
    }

    @Override
    public PreparedImage prepareImage(ImageSpec spec, LogListener pipLog)
    {
        requireNonNull(pipLog, "pipLog is null");
        String baseImageId = call("inspect image " + spec.baseImage(), () -> {
            try {
                return client.inspectImageCmd(spec.baseImage()).exec().getId();
            }
            catch (NotFoundException e) {
                throw new StagehandException(StandardErrorCode.NOT_FOUND, "Base image " + spec.baseImage() + " does not exist on the engine (nothing is pulled implicitly); build or pull it first", e);
            }
        });
        String requirementsImage = spec.baseImage();
        boolean reused = true;
        if (!spec.requirementsFiles().isEmpty()) {
            requirementsImage = REQUIREMENTS_REPOSITORY + ":" + requirementsHash(baseImageId, spec);
            if (imageExists(requirementsImage)) {
                pipLog.onLine(new LogLine(LogLine.Stream.STDOUT, "Requirements unchanged (" + String.join(", ", spec.requirementsFiles()) + "): reusing " + requirementsImage + ", pip not run"));
            }
            else {
                reused = false;
                pipLog.onLine(new LogLine(LogLine.Stream.STDOUT, "Installing requirements " + String.join(", ", spec.requirementsFiles()) + " on " + spec.baseImage()));
                buildImage(spec.sourceDirectory(), requirementsDockerfile(spec), requirementsImage, Map.of(), spec.tenant(), pipLog);
            }
        }
        String dockerfile = "FROM " + requirementsImage + "\n"
                + "COPY . " + spec.targetDirectory() + "\n";
        buildImage(spec.sourceDirectory(), dockerfile, spec.tag(), spec.labels(), spec.tenant(), line -> log.debug("build {}: {}", spec.tag(), line.text()));
        return new PreparedImage(spec.tag(), requirementsImage, reused);
    }

    @Override
    public boolean removeImage(String tag)
    {
        return call("remove image " + tag, () -> {
            try {
                client.removeImageCmd(tag).withForce(false).exec();
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
        Map<String, String> labels = new HashMap<>(spec.labels());
        labels.put(INSTANCE_LABEL, instanceName);

        // A tenant's code: no capability (Odoo needs none: it runs as a user, on a port above
        // 1024), no privilege gained through set-uid files, a bounded number of processes.
        // Secrets as files of the container's user, mounted read-only: in neither its environment
        // nor its command line, which inspect and the host's process list show.
        Optional<ContainerFiles.Written> written = Optional.empty();
        if (!spec.files().isEmpty()) {
            long[] owner = numericUser(spec.user().orElseGet(() -> imageUser(spec.image())));
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
                .withBinds(java.util.stream.Stream.concat(spec.mounts().stream()
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

    private String create(ContainerSpec spec, Map<String, String> labels, HostConfig hostConfig, List<String> environment)
    {
        return call("create container " + spec.name(), () -> {
            CreateContainerCmd command = client.createContainerCmd(spec.image())
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

    private String imageUser(String image)
    {
        return call("inspect image " + image, () -> {
            String user = client.inspectImageCmd(image).exec().getConfig().getUser();
            return user == null ? "" : user;
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
        FrameCallback callback = new FrameCallback(listener);
        call("follow logs of container " + containerId, () -> {
            LogContainerCmd command = streamingClient.logContainerCmd(containerId)
                    .withStdOut(true)
                    .withStdErr(true)
                    .withFollowStream(true);
            since.ifPresentOrElse(instant -> command.withSince((int) instant.getEpochSecond()), command::withTailAll);
            return command.exec(callback);
        });
        return callback;
    }

    @Override
    public int awaitExit(String containerId, Duration timeout)
    {
        requireExists(containerId);
        try (WaitContainerResultCallback callback = streamingClient.waitContainerCmd(containerId).exec(new WaitContainerResultCallback())) {
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
                Optional<String> files = Optional.ofNullable(client.inspectContainerCmd(containerId).exec().getConfig())
                        .flatMap(containerConfig -> Optional.ofNullable(containerConfig.getLabels()))
                        .flatMap(containerLabels -> Optional.ofNullable(containerLabels.get(FILES_LABEL)));
                client.removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
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
        for (DockerClient dockerClient : List.of(client, streamingClient)) {
            try {
                dockerClient.close();
            }
            catch (IOException e) {
                log.warn("Failed to close a Docker client", e);
            }
        }
    }

    @Override
    public String toString()
    {
        return "DockerRuntimeProvider[" + config.host() + "]";
    }

    private boolean imageExists(String image)
    {
        return call("inspect image " + image, () -> {
            try {
                client.inspectImageCmd(image).exec();
                return true;
            }
            catch (NotFoundException e) {
                return false;
            }
        });
    }

    // A requirement's own code (setup.py) runs in the build: on the tenant's network, so it reaches
    // what the tenant's containers reach, and for a bounded time.
    private void buildImage(Path sourceDirectory, String dockerfile, String tag, Map<String, String> labels, Optional<String> tenant, LogListener output)
    {
        Map<String, String> allLabels = new HashMap<>(labels);
        allLabels.put(INSTANCE_LABEL, instanceName);
        Path context = null;
        try {
            context = Files.createTempFile("stagehand-build-context-", ".tar");
            try (OutputStream stream = Files.newOutputStream(context)) {
                BuildContext.write(sourceDirectory, dockerfile, stream);
            }
            LineSplitter lines = new LineSplitter(line -> output.onLine(new LogLine(LogLine.Stream.STDOUT, line)));
            try (InputStream tar = Files.newInputStream(context)) {
                BuildImageResultCallback callback = new BuildImageResultCallback()
                {
                    @Override
                    public void onNext(BuildResponseItem item)
                    {
                        if (item.getStream() != null) {
                            lines.accept(item.getStream().getBytes(StandardCharsets.UTF_8));
                        }
                        if (item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null) {
                            lines.accept((item.getErrorDetail().getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
                        }
                        super.onNext(item);
                    }
                };
                com.github.dockerjava.api.command.BuildImageCmd command = streamingClient.buildImageCmd(tar)
                        .withDockerfilePath(BuildContext.DOCKERFILE)
                        .withTags(Set.of(tag))
                        .withLabels(allLabels)
                        .withPull(false)
                        .withRemove(true)
                        .withForcerm(true)
                        .withMemory(config.imageBuildMemoryBytes())
                        .withMemswap(config.imageBuildMemoryBytes());
                tenant.map(tenantNetworks::of).ifPresent(command::withNetworkMode);
                boolean done;
                try {
                    done = command.exec(callback).awaitCompletion(config.imageBuildTimeout().toMillis(), TimeUnit.MILLISECONDS);
                }
                catch (InterruptedException e) {
                    callback.close();
                    throw StagehandException.interrupted("building image " + tag, e);
                }
                if (!done) {
                    // Closing the stream makes the engine cancel the build.
                    callback.close();
                    lines.accept(("[stagehand] stopped: the build took longer than " + config.imageBuildTimeout().toSeconds() + " s ("
                            + DockerConfig.IMAGE_BUILD_TIMEOUT + ")\n").getBytes(StandardCharsets.UTF_8));
                    lines.finish();
                    throw new StagehandException(StandardErrorCode.TIMEOUT, "Building image " + tag + " took longer than " + config.imageBuildTimeout().toSeconds()
                            + " s and was stopped (the log says where it was); make the requirements install faster, or raise " + DockerConfig.IMAGE_BUILD_TIMEOUT);
                }
                callback.awaitImageId();
                lines.finish();
            }
        }
        catch (DockerClientException | DockerException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Building image " + tag + " failed: " + e.getMessage() + " (the build log says why)", e);
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot write the build context of " + tag + " from " + sourceDirectory + ": " + e, e);
        }
        finally {
            if (context != null) {
                try {
                    Files.deleteIfExists(context);
                }
                catch (IOException e) {
                    log.debug("Cannot delete {}", context, e);
                }
            }
        }
    }

    // pip runs in a throw-away stage with the whole checkout (requirements may name local paths),
    // and only what it installed reaches the image. It installs as into the image itself (--root
    // relocates the files, not the resolution), so a requirement the image already satisfies, such
    // as Odoo's own lxml or psycopg2, is kept, not reinstalled ahead of it on the path as --target
    // would (Odoo 17 breaks with a newer lxml). Each requirements file sees what the ones before
    // it installed (PYTHONPATH), so the files resolve together as one installation would.
    private String requirementsDockerfile(ImageSpec spec)
    {
        StringBuilder install = new StringBuilder();
        for (String file : spec.requirementsFiles()) {
            // The path goes into a shell line of the Dockerfile: only plain path characters.
            if (!SAFE_PATH.matcher(file).matches()) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Requirements file path '" + file
                        + "' has characters a build cannot take; rename its directory to letters, digits, '_', '-', '.' and '/'");
            }
            Path path = Path.of(file);
            String directory = path.getParent() == null ? "." : path.getParent().toString();
            install.append(" && cd '/tmp/stagehand-source/").append(directory).append("'")
                    .append(" && echo 'pip install -r ").append(file).append("'")
                    .append(" && export PYTHONPATH=\"$(find " + PIP_ROOT + " -type d \\( -name site-packages -o -name dist-packages \\) -prune | paste -sd: -)\"")
                    .append(" && pip3 install --root " + PIP_ROOT + " -r '").append(path.getFileName()).append("'");
        }
        // As the image's own user, not root: a package's setup.py is the tenant's code.
        String user = imageUser(spec.baseImage());
        String asUser = user.isEmpty() || user.equals("root") || user.equals("0") ? "" : user;
        return "FROM " + spec.baseImage() + " AS requirements\n"
                + "USER root\n"
                + "RUN mkdir -p " + PIP_ROOT + (asUser.isEmpty() ? "" : " && chown " + asUser + " " + PIP_ROOT) + "\n"
                + (asUser.isEmpty() ? "COPY . /tmp/stagehand-source\n" : "COPY --chown=" + asUser + " . /tmp/stagehand-source\nUSER " + asUser + "\n")
                + "ENV PIP_BREAK_SYSTEM_PACKAGES=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore\n"
                + "RUN true" + install + "\n"
                + "FROM " + spec.baseImage() + "\n"
                + "COPY --from=requirements " + PIP_ROOT + "/ /\n";
    }

    private String requirementsHash(String baseImageId, ImageSpec spec)
    {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(baseImageId.getBytes(StandardCharsets.UTF_8));
            // The recipe too: an image made another way (an older platform's) is not this one.
            digest.update(requirementsDockerfile(spec).getBytes(StandardCharsets.UTF_8));
            // A tenant's own: requirements files may name what they do not hold (./pkg, -r other.txt),
            // which another tenant's identical files would bring from elsewhere.
            digest.update(("\0" + spec.tenant().orElse("") + "\0").getBytes(StandardCharsets.UTF_8));
            // In install order: each file resolves against what the ones before it installed.
            for (String file : spec.requirementsFiles()) {
                digest.update(("\0" + file + "\0").getBytes(StandardCharsets.UTF_8));
                digest.update(Files.readAllBytes(spec.sourceDirectory().resolve(file)));
            }
            return HexFormat.of().formatHex(digest.digest()).substring(0, 20);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JDK has SHA-256", e);
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "Cannot read requirements file of " + spec.sourceDirectory() + ": " + e, e);
        }
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
