package sh.stagehand.spi.config;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * One configuration key, declared once: its name, what it takes, its default and what it is for.
 * <pre>{@code
 * public static final ConfigKey<Duration> API_TIMEOUT = ConfigKey.of("docker.api-timeout", ConfigType.duration(), "60s", "how long one engine call may take");
 * }</pre>
 * A key without a default ({@link #optional}, {@link #required}) is read as an {@link Optional},
 * or must be set. A {@link #secret()} key's value is never repeated in a message.
 *
 * <p>Immutable and thread-safe.
 *
 * @param <T> the value read
 */
public final class ConfigKey<T>
{
    private static final Pattern URL_WITH_CREDENTIALS = Pattern.compile("(?s).*[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#\\s]*@.*");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*(\\.[a-z0-9][a-z0-9-]*)+");

    private final String name;
    private final ConfigType<T> type;
    private final Optional<String> defaultValue;
    private final boolean required;
    private final String description;
    private final boolean secret;
    private final Set<String> formerNames;

    private ConfigKey(String name, ConfigType<T> type, Optional<String> defaultValue, boolean required, String description, boolean secret, Set<String> formerNames)
    {
        this.name = requireNonNull(name, "name is null");
        this.type = requireNonNull(type, "type is null");
        this.defaultValue = requireNonNull(defaultValue, "defaultValue is null");
        this.required = required;
        this.description = requireNonNull(description, "description is null");
        this.secret = secret;
        this.formerNames = Set.copyOf(requireNonNull(formerNames, "formerNames is null"));
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Not a configuration key name (lower-case words joined by '.' and '-'): " + name);
        }
        // A default that does not read is a bug of the declaration: found when the class loads.
        defaultValue.ifPresent(value -> type.parse(name + "=" + value, value, false));
    }

    /**
     * A key with a default, which is read like a configured value.
     */
    public static <T> ConfigKey<T> of(String name, ConfigType<T> type, String defaultValue, String description)
    {
        return new ConfigKey<>(name, type, Optional.of(requireNonNull(defaultValue, "defaultValue is null")), false, description, false, Set.of());
    }

    /**
     * A key that may be left out (its absence meaning what the description says).
     */
    public static <T> ConfigKey<T> optional(String name, ConfigType<T> type, String description)
    {
        return new ConfigKey<>(name, type, Optional.empty(), false, description, false, Set.of());
    }

    /**
     * A key that must be set.
     */
    public static <T> ConfigKey<T> required(String name, ConfigType<T> type, String description)
    {
        return new ConfigKey<>(name, type, Optional.empty(), true, description, false, Set.of());
    }

    /**
     * This key, its value a secret: never repeated in a message nor shown.
     */
    public ConfigKey<T> secret()
    {
        return new ConfigKey<>(name, type, defaultValue, required, description, true, formerNames);
    }

    /**
     * This key, which had the given names before: whoever still sets one is told its new name.
     */
    public ConfigKey<T> formerly(String... names)
    {
        return new ConfigKey<>(name, type, defaultValue, required, description, secret, Set.of(names));
    }

    public String name()
    {
        return name;
    }

    public ConfigType<T> type()
    {
        return type;
    }

    /**
     * @return the default's text, as a value of the key would be written
     */
    public Optional<String> defaultValue()
    {
        return defaultValue;
    }

    public boolean isRequired()
    {
        return required;
    }

    /**
     * @return one line: what the key is for
     */
    public String description()
    {
        return description;
    }

    public boolean isSecret()
    {
        return secret;
    }

    public Set<String> formerNames()
    {
        return formerNames;
    }

    /**
     * Reads a value of this key.
     *
     * @throws StagehandException {@code INVALID_CONFIGURATION} naming the key, the value and what
     *         the key takes; the value is left out if it is a secret, and said to be a URL with
     *         credentials if it is one
     */
    public T parse(String value)
    {
        requireNonNull(value, "value is null");
        boolean credentials = URL_WITH_CREDENTIALS.matcher(value).matches();
        String shown = secret ? name : name + "=" + (credentials ? "(a URL with credentials)" : value);
        try {
            return type.parse(shown, value, secret || credentials);
        }
        catch (IllegalArgumentException e) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, e.getMessage());
        }
    }

    /**
     * @return "{@code name}: description (default ...)", a line of a listing of keys
     */
    public String describe()
    {
        return name + ": " + description + defaultValue.map(value -> " (default " + (value.isEmpty() ? "empty" : value) + ")").orElse(required ? " (required)" : "");
    }

    /**
     * @return the key's name, so that a message may say {@code "raise " + KEY}
     */
    @Override
    public String toString()
    {
        return name;
    }
}
