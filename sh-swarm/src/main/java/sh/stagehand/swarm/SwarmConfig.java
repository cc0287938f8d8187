package sh.stagehand.swarm;

import sh.stagehand.spi.config.ConfigKey;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.config.ConfigType;
import sh.stagehand.spi.config.ConfigValues;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Configuration of the Swarm runtime, keys under {@code swarm.}, declared in {@link #KEYS}: the
 * manager's engine, each worker's engine by the address Swarm knows it by (the manager cannot
 * exec into a worker's container: the runtime asks the worker's engine), and the registry every
 * node pulls from. {@code bin/swarm-up} prints them for its cluster.
 *
 * @param nodes a node's address (its {@code Status.Addr}) to its engine's address
 * @param registry {@code host:port} of the registry the nodes pull images from
 */
public record SwarmConfig(URI manager, Map<String, URI> nodes, String registry, Duration apiTimeout, Duration startTimeout)
{
    private static final Set<String> SCHEMES = Set.of("unix", "tcp");

    public static final ConfigKey<URI> MANAGER = ConfigKey.of("swarm.manager",
            ConfigType.uri().check(uri -> SCHEMES.contains(String.valueOf(uri.getScheme())), "a Docker engine address; use unix:///run/docker.sock or tcp://HOST:2375"),
            "unix:///var/run/docker.sock", "the Swarm manager's engine, where services are made and images built");
    public static final ConfigKey<List<String>> NODES = ConfigKey.of("swarm.nodes", ConfigType.list(), "",
            "each worker's engine by the address Swarm knows the node by, ADDRESS=ENGINE, comma-separated (10.231.0.12=unix:///run/stagehand-swarm/node2/docker.sock)");
    public static final ConfigKey<String> REGISTRY = ConfigKey.of("swarm.registry",
            ConfigType.nonEmptyString().check(registry -> registry.matches("[A-Za-z0-9.-]+(:\\d+)?"), "HOST:PORT, such as 10.231.0.1:5000"),
            "127.0.0.1:5000", "the registry the nodes pull builds' images from, HOST:PORT");
    public static final ConfigKey<Duration> API_TIMEOUT = ConfigKey.of("swarm.api-timeout", ConfigType.duration(), "60s", "how long one engine call may take");
    public static final ConfigKey<Duration> START_TIMEOUT = ConfigKey.of("swarm.start-timeout", ConfigType.duration(), "2m",
            "how long a container's task may take to start on a node (its image pulled from the registry first)");

    public static final ConfigKeys KEYS = ConfigKeys.of("the Swarm provider", MANAGER, NODES, REGISTRY, API_TIMEOUT, START_TIMEOUT);

    public SwarmConfig
    {
        requireNonNull(manager, "manager is null");
        nodes = Map.copyOf(requireNonNull(nodes, "nodes is null"));
        requireNonNull(registry, "registry is null");
        requireNonNull(apiTimeout, "apiTimeout is null");
        requireNonNull(startTimeout, "startTimeout is null");
    }

    public static SwarmConfig fromMap(Map<String, String> config)
    {
        ConfigValues values = KEYS.read(config);
        Map<String, URI> nodes = new LinkedHashMap<>();
        for (String node : values.get(NODES)) {
            String[] parts = node.strip().split("=", 2);
            URI engine = parts.length == 2 ? URI.create(parts[1].strip()) : null;
            if (parts.length != 2 || parts[0].isBlank() || !SCHEMES.contains(String.valueOf(engine.getScheme()))) {
                throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, NODES + ": '" + node + "' is not ADDRESS=ENGINE; use 10.231.0.12=unix:///run/stagehand-swarm/node2/docker.sock");
            }
            nodes.put(parts[0].strip(), engine);
        }
        return new SwarmConfig(values.get(MANAGER), nodes, values.get(REGISTRY), values.get(API_TIMEOUT), values.get(START_TIMEOUT));
    }
}
