package sh.stagehand.spi.config;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * The keys one part of the platform reads (a provider, the platform's settings, the server),
 * declared together, once:
 * <pre>{@code
 * public static final ConfigKeys KEYS = ConfigKeys.of("the Docker provider", HOST, NETWORK, API_TIMEOUT);
 * ...
 * ConfigValues values = KEYS.read(config);
 * Duration timeout = values.get(API_TIMEOUT);
 * }</pre>
 * A key that is not declared is refused, with the nearest declared key suggested ("Unknown
 * configuration key docker.hots; did you mean docker.host?"), or its new name if it was renamed.
 * Immutable and thread-safe.
 */
public final class ConfigKeys
{
    private static final ConfigKeys NONE = new ConfigKeys("nothing", List.of());

    private final String owner;
    private final Map<String, ConfigKey<?>> keys;

    private ConfigKeys(String owner, Collection<ConfigKey<?>> keys)
    {
        this.owner = requireNonNull(owner, "owner is null");
        Map<String, ConfigKey<?>> byName = new LinkedHashMap<>();
        for (ConfigKey<?> key : keys) {
            ConfigKey<?> previous = byName.putIfAbsent(key.name(), key);
            if (previous != null && previous != key) {
                throw new IllegalArgumentException("Configuration key " + key.name() + " is declared twice, in " + owner);
            }
        }
        this.keys = Collections.unmodifiableMap(byName);
    }

    /**
     * @param owner who reads these keys, as a message names it: "the Docker provider"
     */
    public static ConfigKeys of(String owner, ConfigKey<?>... keys)
    {
        return new ConfigKeys(owner, List.of(keys));
    }

    public static ConfigKeys of(String owner, Collection<? extends ConfigKey<?>> keys)
    {
        return new ConfigKeys(owner, List.copyOf(keys));
    }

    /**
     * No keys: a provider factory that checks its own ({@link sh.stagehand.spi.ProviderFactory#configKeys()}).
     */
    public static ConfigKeys none()
    {
        return NONE;
    }

    /**
     * The keys of several parts together, e.g. every key the platform knows, to check a whole
     * configuration.
     */
    public static ConfigKeys union(String owner, Collection<ConfigKeys> parts)
    {
        return new ConfigKeys(owner, parts.stream().flatMap(part -> part.keys().stream()).toList());
    }

    public String owner()
    {
        return owner;
    }

    public List<ConfigKey<?>> keys()
    {
        return List.copyOf(keys.values());
    }

    public boolean isEmpty()
    {
        return keys.isEmpty();
    }

    public boolean contains(ConfigKey<?> key)
    {
        return keys.get(key.name()) == key;
    }

    public boolean contains(String name)
    {
        return keys.containsKey(name);
    }

    /**
     * Reads a configuration made of these keys only, such as the keys under a provider's name.
     *
     * @throws StagehandException {@code INVALID_CONFIGURATION} for a key that is not one of these
     */
    public ConfigValues read(Map<String, String> config)
    {
        config.keySet().forEach(this::requireKnown);
        return new ConfigValues(this, config);
    }

    /**
     * Reads these keys out of a configuration that holds others too, which are someone else's to
     * check (as the platform's own settings share one configuration).
     */
    public ConfigValues readDeclared(Map<String, String> config)
    {
        return new ConfigValues(this, config.entrySet().stream()
                .filter(entry -> keys.containsKey(entry.getKey()))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    }

    /**
     * @throws StagehandException {@code INVALID_CONFIGURATION} if the key is not one of these, with
     *         the nearest one suggested
     */
    public void requireKnown(String name)
    {
        if (keys.containsKey(name)) {
            return;
        }
        throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, unknownKeyMessage(name));
    }

    /**
     * @return what to say of a key that is not one of these: the nearest one, or the ones there are
     */
    public String unknownKeyMessage(String name)
    {
        Optional<ConfigKey<?>> renamed = keys.values().stream().filter(key -> key.formerNames().contains(name)).findFirst();
        if (renamed.isPresent()) {
            return "Unknown configuration key " + name + "; did you mean " + renamed.get().name() + "? It was renamed, and takes " + renamed.get().type().description();
        }
        Optional<String> nearest = nearest(name);
        if (nearest.isPresent()) {
            return "Unknown configuration key " + name + "; did you mean " + nearest.get() + "?";
        }
        String prefix = name.contains(".") ? name.substring(0, name.indexOf('.') + 1) : name;
        List<String> related = keys.keySet().stream().filter(key -> key.startsWith(prefix)).sorted().toList();
        return "Unknown configuration key " + name + "; " + owner + " knows " + (related.isEmpty() ? keys.keySet().stream().sorted().toList() : related);
    }

    /**
     * @return the declared key nearest the name: a few letters apart (swapped, missing, extra,
     *         wrong), or the name with a suffix (as {@code git.timeout-seconds} of {@code git.timeout})
     */
    public Optional<String> nearest(String name)
    {
        int threshold = Math.max(2, name.length() / 3);
        Optional<String> close = keys.keySet().stream()
                .filter(key -> distance(name, key) <= threshold)
                .min(Comparator.<String>comparingInt(key -> distance(name, key)).thenComparing(Comparator.naturalOrder()));
        if (close.isPresent()) {
            return close;
        }
        return keys.keySet().stream().filter(key -> name.startsWith(key + "-")).max(Comparator.comparingInt(String::length));
    }

    // Optimal string alignment: insertions, deletions, substitutions and swaps of neighbours each count 1.
    static int distance(String first, String second)
    {
        int[][] costs = new int[first.length() + 1][second.length() + 1];
        for (int i = 0; i <= first.length(); i++) {
            costs[i][0] = i;
        }
        for (int j = 0; j <= second.length(); j++) {
            costs[0][j] = j;
        }
        for (int i = 1; i <= first.length(); i++) {
            for (int j = 1; j <= second.length(); j++) {
                int substitution = first.charAt(i - 1) == second.charAt(j - 1) ? 0 : 1;
                costs[i][j] = Math.min(Math.min(costs[i - 1][j] + 1, costs[i][j - 1] + 1), costs[i - 1][j - 1] + substitution);
                if (i > 1 && j > 1 && first.charAt(i - 1) == second.charAt(j - 2) && first.charAt(i - 2) == second.charAt(j - 1)) {
                    costs[i][j] = Math.min(costs[i][j], costs[i - 2][j - 2] + 1);
                }
            }
        }
        return costs[first.length()][second.length()];
    }

    /**
     * @return one line per key, "{@code name}: description (default ...)", as documentation lists them
     */
    @Override
    public String toString()
    {
        return keys.values().stream().map(ConfigKey::describe).collect(Collectors.joining("\n"));
    }
}
