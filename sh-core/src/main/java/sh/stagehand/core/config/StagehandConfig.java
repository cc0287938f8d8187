package sh.stagehand.core.config;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * The platform's flat configuration: string keys to string values, e.g. {@code runtime.type=docker},
 * {@code docker.host=unix:///var/run/docker.sock}. Each provider reads the keys under its own name.
 * Immutable and thread-safe.
 */
public final class StagehandConfig
{
    public static final String INSTANCE_NAME = "instance.name";
    public static final String DATA_DIRECTORY = "data.directory";

    /** Configuration key that picks each provider kind, with the default provider name. */
    public enum ProviderKind
    {
        RUNTIME("runtime.type", "docker"),
        DATABASE("database.type", "postgres"),
        VCS("vcs.type", "git"),
        BACKUP("backup.type", "filesystem"),
        MAIL("mail.type", "memory"),
        /** Where production's mail goes out: a {@link sh.stagehand.spi.mail.MailSink} that delivers ("none": production mail is refused until one is set). */
        MAIL_RELAY("mail.relay-type", "none");

        private final String key;
        private final String defaultName;

        ProviderKind(String key, String defaultName)
        {
            this.key = key;
            this.defaultName = defaultName;
        }

        public String key()
        {
            return key;
        }

        public String defaultName()
        {
            return defaultName;
        }
    }

    private final Map<String, String> properties;

    public StagehandConfig(Map<String, String> properties)
    {
        this.properties = Map.copyOf(requireNonNull(properties, "properties is null"));
    }

    public Optional<String> get(String key)
    {
        return Optional.ofNullable(properties.get(key));
    }

    public String get(String key, String defaultValue)
    {
        return properties.getOrDefault(key, defaultValue);
    }

    public String instanceName()
    {
        return get(INSTANCE_NAME, "stagehand");
    }

    public Path dataDirectory()
    {
        return Path.of(get(DATA_DIRECTORY, ".stagehand/data")).toAbsolutePath();
    }

    /**
     * @return the configured provider name of that kind, or its default
     */
    public String providerName(ProviderKind kind)
    {
        String name = get(kind.key(), kind.defaultName()).strip();
        if (name.isEmpty()) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, kind.key() + " is empty: name a provider, e.g. " + kind.key() + "=" + kind.defaultName());
        }
        return name;
    }

    /**
     * @return the entries whose key starts with {@code name + "."}, keys unchanged, as a provider
     *         factory receives them
     */
    public Map<String, String> providerConfig(String name)
    {
        String prefix = name + ".";
        return properties.entrySet().stream()
                .filter(entry -> entry.getKey().startsWith(prefix))
                .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    public Map<String, String> asMap()
    {
        return properties;
    }

    @Override
    public String toString()
    {
        // Values may be secrets (passwords, tokens): show keys only.
        return "StagehandConfig" + new TreeMap<>(properties).keySet();
    }
}
