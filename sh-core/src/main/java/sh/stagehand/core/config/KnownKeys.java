package sh.stagehand.core.config;

import sh.stagehand.spi.ProviderFactory;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.config.ConfigKeys;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/**
 * Every key of the platform's configuration, claimed: declared by the platform, by a module or by
 * the application that embeds it ({@code Stagehand.Builder.withConfigKeys}), or under the name of
 * a provider (checked against the keys its factory declares, or left to the factory if it declares
 * none), or a backup replica's ({@code backup.replica.<name>.<key>}). A key nobody claims is a typo
 * or a key that was renamed, and stops the start: "Unknown configuration key docker.hots; did you
 * mean docker.host?". Immutable and thread-safe.
 */
public final class KnownKeys
{
    private static final String REPLICA_PREFIX = "backup.replica.";

    private final ConfigKeys all;

    private KnownKeys(ConfigKeys all)
    {
        this.all = requireNonNull(all, "all is null");
    }

    /**
     * @param declared the keys the platform, its modules and the embedding application read
     * @param factories every provider factory there is, configured or not
     * @throws StagehandException {@code INVALID_CONFIGURATION} naming every key nobody claims (in
     *         order), each with the nearest known key suggested: a file with several typos is
     *         put right in one go
     */
    public static KnownKeys check(StagehandConfig config, Collection<ConfigKeys> declared, Collection<? extends ProviderFactory<?>> factories)
    {
        Map<String, List<ConfigKeys>> byProvider = new LinkedHashMap<>();
        Set<ConfigKeys> everything = new LinkedHashSet<>(declared);
        for (ProviderFactory<?> factory : factories) {
            List<ConfigKeys> keys = byProvider.computeIfAbsent(factory.name(), name -> new ArrayList<>());
            if (!factory.configKeys().isEmpty()) {
                keys.add(factory.configKeys());
                everything.add(factory.configKeys());
            }
        }
        ConfigKeys declaredKeys = ConfigKeys.union("the platform", declared);
        KnownKeys known = new KnownKeys(ConfigKeys.union("the platform", everything));
        List<String> problems = new ArrayList<>();
        for (String key : new TreeSet<>(config.asMap().keySet())) {
            if (declaredKeys.contains(key)) {
                continue;
            }
            if (key.startsWith(REPLICA_PREFIX)) {
                checkReplicaKey(config, key, byProvider).ifPresent(problems::add);
                continue;
            }
            String prefix = key.contains(".") ? key.substring(0, key.indexOf('.')) : key;
            List<ConfigKeys> providerKeys = byProvider.get(prefix);
            if (providerKeys == null) {
                problems.add(known.all.unknownKeyMessage(key));
            }
            // A factory that declares no keys checks its own when it is created.
            else if (!providerKeys.isEmpty() && providerKeys.stream().noneMatch(keys -> keys.contains(key))) {
                problems.add(providerKeys.get(0).unknownKeyMessage(key));
            }
        }
        if (!problems.isEmpty()) {
            throw invalid(problems.get(0) + (problems.size() == 1 ? "" : ". Also: " + String.join(". ", problems.subList(1, problems.size()))));
        }
        return known;
    }

    /**
     * @return every key declared, the platform's and the providers'
     */
    public ConfigKeys all()
    {
        return all;
    }

    // backup.replica.<name>.type, or backup.replica.<name>.<key> for the key <type>.<key> of the replica's store.
    private static Optional<String> checkReplicaKey(StagehandConfig config, String key, Map<String, List<ConfigKeys>> byProvider)
    {
        String rest = key.substring(REPLICA_PREFIX.length());
        int dot = rest.indexOf('.');
        List<String> replicas = config.backupReplicas();
        if (dot < 1 || !replicas.contains(rest.substring(0, dot))) {
            return Optional.of("Configuration key " + key + " names no backup replica: " + StagehandConfig.BACKUP_REPLICAS + " is " + replicas
                    + "; add the replica there, or set its keys as " + REPLICA_PREFIX + "<name>.<key>");
        }
        String name = rest.substring(0, dot);
        String replicaKey = rest.substring(dot + 1);
        if (replicaKey.equals("type")) {
            return Optional.empty();
        }
        String type = config.replicaType(name);
        List<ConfigKeys> storeKeys = byProvider.getOrDefault(type, List.of());
        String storeKey = type + "." + replicaKey;
        if (storeKeys.isEmpty() || storeKeys.stream().anyMatch(keys -> keys.contains(storeKey))) {
            return Optional.empty();
        }
        String replicaPrefix = REPLICA_PREFIX + name + ".";
        Optional<String> nearest = storeKeys.get(0).nearest(storeKey).map(found -> replicaPrefix + found.substring(type.length() + 1));
        return Optional.of("Unknown configuration key " + key + nearest.map(found -> "; did you mean " + found + "?")
                .orElse("; " + storeKeys.get(0).owner() + " of the replica knows " + storeKeys.get(0).keys().stream().map(found -> replicaPrefix + found.name().substring(type.length() + 1)).toList()));
    }

    private static StagehandException invalid(String message)
    {
        return new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, message);
    }
}
