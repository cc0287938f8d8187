package sh.stagehand.spi.config;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The values of declared keys, read on demand from the configuration ({@link ConfigKeys#read}):
 * each read says, on a value that does not fit, which key, which value and what it takes.
 * Immutable and thread-safe.
 */
public final class ConfigValues
{
    private final ConfigKeys keys;
    private final Map<String, String> config;

    ConfigValues(ConfigKeys keys, Map<String, String> config)
    {
        this.keys = requireNonNull(keys, "keys is null");
        this.config = Map.copyOf(requireNonNull(config, "config is null"));
    }

    /**
     * @return the key's value (blank too, if the key is set so), else its default
     * @throws StagehandException {@code INVALID_CONFIGURATION} if the value does not fit, or the
     *         key must be set and is not
     * @throws IllegalArgumentException if the key is not one of these keys, or has no default and
     *         need not be set (read it with {@link #optional})
     */
    public <T> T get(ConfigKey<T> key)
    {
        requireDeclared(key);
        String value = config.get(key.name());
        if (value != null) {
            return key.parse(value);
        }
        if (key.isRequired()) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, key.name() + " is not set; it takes " + key.type().description() + ": " + key.description());
        }
        return key.parse(key.defaultValue().orElseThrow(() -> new IllegalArgumentException(key.name() + " has no default; read it with optional()")));
    }

    /**
     * @return the key's value if it is set to something other than blanks (a blank value, as no
     *         value; the default is not used)
     * @throws StagehandException {@code INVALID_CONFIGURATION} if the value does not fit
     */
    public <T> Optional<T> optional(ConfigKey<T> key)
    {
        requireDeclared(key);
        String value = config.get(key.name());
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(key.parse(value));
    }

    /**
     * @return whether the key is given, blank or not
     */
    public boolean isSet(ConfigKey<?> key)
    {
        requireDeclared(key);
        return config.containsKey(key.name());
    }

    private void requireDeclared(ConfigKey<?> key)
    {
        if (!keys.contains(key)) {
            throw new IllegalArgumentException(key.name() + " is not a key of " + keys.owner());
        }
    }
}
