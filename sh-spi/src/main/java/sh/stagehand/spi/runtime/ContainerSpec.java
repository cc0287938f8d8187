package sh.stagehand.spi.runtime;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * What to run and how: built with {@link #builder(String, String)}.
 *
 * @param name unique container name: letters, digits, '_', '.', '-', starting with a letter or digit
 * @param image the image reference, which must exist locally
 * @param command the command and its arguments; empty for the image's default
 * @param environment environment variables
 * @param labels labels, for {@link RuntimeProvider#list}
 * @param mounts host paths bound into the container
 * @param publishedPorts container ports published on the host's loopback address
 * @param memoryLimitBytes hard memory limit, 0 for none
 * @param cpuLimit number of CPUs the container may use (e.g. 1.5), 0 for no limit
 * @param network the network to attach to, or empty for the provider's default
 * @param files files written into the container before it starts (secrets: see {@link ContainerFile})
 * @param user the numeric {@code uid:gid} the container's processes run as, or empty for the
 *        image's user
 * @param tenant whose code the container runs (a project): containers of different tenants
 *        cannot reach each other, and a tenant's reach the host only where the runtime's
 *        operator allows (the database, the mail catcher); empty for the platform's own tools
 *        on the provider's default network ({@code network})
 * @param pidsLimit the most processes and threads it may run at once, 0 for no limit
 */
public record ContainerSpec(
        String name,
        String image,
        List<String> command,
        Map<String, String> environment,
        Map<String, String> labels,
        List<Mount> mounts,
        List<Integer> publishedPorts,
        long memoryLimitBytes,
        double cpuLimit,
        Optional<String> network,
        List<ContainerFile> files,
        Optional<String> user,
        Optional<String> tenant,
        long pidsLimit)
{
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}");
    private static final Pattern USER = Pattern.compile("[0-9]{1,10}:[0-9]{1,10}");
    private static final Pattern TENANT = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");

    public ContainerSpec
    {
        requireNonNull(name, "name is null");
        requireNonNull(image, "image is null");
        command = List.copyOf(requireNonNull(command, "command is null"));
        environment = Map.copyOf(requireNonNull(environment, "environment is null"));
        labels = Map.copyOf(requireNonNull(labels, "labels is null"));
        mounts = List.copyOf(requireNonNull(mounts, "mounts is null"));
        publishedPorts = List.copyOf(requireNonNull(publishedPorts, "publishedPorts is null"));
        requireNonNull(network, "network is null");
        files = List.copyOf(requireNonNull(files, "files is null"));
        requireNonNull(user, "user is null");
        if (user.isPresent() && !USER.matcher(user.get()).matches()) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Container user '" + user.get() + "' is not a numeric uid:gid such as 101:101");
        }
        requireNonNull(tenant, "tenant is null");
        if (tenant.isPresent() && !TENANT.matcher(tenant.get()).matches()) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Tenant '" + tenant.get() + "' is not valid: use up to 63 lower-case letters, digits, '_', '.' and '-'");
        }
        if (tenant.isPresent() && network.isPresent()) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "A tenant's container joins its tenant's network, not " + network.get() + ": give one or the other");
        }
        if (pidsLimit < 0) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Process limit is negative: " + pidsLimit);
        }
        if (!NAME.matcher(name).matches()) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT,
                    "Container name '" + name + "' is not valid: use up to 128 letters, digits, '_', '.' and '-', starting with a letter or digit");
        }
        if (image.isBlank()) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Container image is blank");
        }
        for (int port : publishedPorts) {
            if (port < 1 || port > 65535) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Published port " + port + " is not between 1 and 65535");
            }
        }
        if (memoryLimitBytes < 0) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Memory limit is negative: " + memoryLimitBytes);
        }
        if (cpuLimit < 0 || Double.isNaN(cpuLimit)) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "CPU limit is negative: " + cpuLimit);
        }
    }

    public static Builder builder(String name, String image)
    {
        return new Builder(name, image);
    }

    /**
     * Not thread-safe.
     */
    public static final class Builder
    {
        private final String name;
        private final String image;
        private final List<String> command = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private final Map<String, String> labels = new LinkedHashMap<>();
        private final List<Mount> mounts = new ArrayList<>();
        private final List<Integer> publishedPorts = new ArrayList<>();
        private long memoryLimitBytes;
        private double cpuLimit;
        private Optional<String> network = Optional.empty();
        private final List<ContainerFile> files = new ArrayList<>();
        private Optional<String> user = Optional.empty();
        private Optional<String> tenant = Optional.empty();
        private long pidsLimit;

        private Builder(String name, String image)
        {
            this.name = requireNonNull(name, "name is null");
            this.image = requireNonNull(image, "image is null");
        }

        public Builder withCommand(List<String> command)
        {
            this.command.clear();
            this.command.addAll(command);
            return this;
        }

        public Builder withCommand(String... command)
        {
            return withCommand(List.of(command));
        }

        public Builder withEnv(String name, String value)
        {
            environment.put(requireNonNull(name, "name is null"), requireNonNull(value, "value is null"));
            return this;
        }

        public Builder withEnv(Map<String, String> environment)
        {
            environment.forEach(this::withEnv);
            return this;
        }

        public Builder withLabel(String name, String value)
        {
            labels.put(requireNonNull(name, "name is null"), requireNonNull(value, "value is null"));
            return this;
        }

        public Builder withLabels(Map<String, String> labels)
        {
            labels.forEach(this::withLabel);
            return this;
        }

        public Builder withMount(Mount mount)
        {
            mounts.add(requireNonNull(mount, "mount is null"));
            return this;
        }

        public Builder withPublishedPort(int containerPort)
        {
            publishedPorts.add(containerPort);
            return this;
        }

        public Builder withMemoryLimit(long bytes)
        {
            this.memoryLimitBytes = bytes;
            return this;
        }

        public Builder withCpuLimit(double cpus)
        {
            this.cpuLimit = cpus;
            return this;
        }

        public Builder withNetwork(String network)
        {
            this.network = Optional.of(network);
            return this;
        }

        public Builder withFile(ContainerFile file)
        {
            files.add(requireNonNull(file, "file is null"));
            return this;
        }

        /**
         * @param user numeric {@code uid:gid}
         */
        public Builder withUser(String user)
        {
            this.user = Optional.of(user);
            return this;
        }

        public Builder withTenant(String tenant)
        {
            this.tenant = Optional.of(tenant);
            return this;
        }

        public Builder withPidsLimit(long pids)
        {
            this.pidsLimit = pids;
            return this;
        }

        public ContainerSpec build()
        {
            return new ContainerSpec(name, image, command, environment, labels, mounts, publishedPorts, memoryLimitBytes, cpuLimit, network, files, user, tenant, pidsLimit);
        }
    }
}
