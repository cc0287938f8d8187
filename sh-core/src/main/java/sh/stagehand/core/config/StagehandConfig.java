package sh.stagehand.core.config;

import sh.stagehand.spi.backup.BackupStore;
import sh.stagehand.spi.config.ConfigKey;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.config.ConfigType;
import sh.stagehand.spi.config.ConfigValues;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.spi.mail.MailRelay;
import sh.stagehand.spi.mail.MailSink;
import sh.stagehand.spi.runtime.RuntimeProvider;
import sh.stagehand.spi.vcs.VcsProvider;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * The platform's flat configuration: string keys to string values, e.g. {@code runtime.type=docker},
 * {@code docker.host=unix:///var/run/docker.sock}. Each provider reads the keys under its own name;
 * each part of the platform declares the keys it reads ({@link #KEYS}, {@link PlatformSettings#KEYS},
 * ...), and {@link KnownKeys} refuses, at start-up, a key that nobody declared.
 * Immutable and thread-safe.
 */
public final class StagehandConfig
{
    public static final ConfigKey<String> INSTANCE_NAME = ConfigKey.of("instance.name", ConfigType.nonEmptyString(), "stagehand",
            "the platform's name, which labels what it creates (containers, networks, databases)");
    public static final ConfigKey<Path> DATA_DIRECTORY = ConfigKey.of("data.directory", ConfigType.path(), ".stagehand/data",
            "where the platform keeps its files (logs, workspaces, backups, caches)");

    /** Configuration key that picks each provider kind, with the default provider name. */
    public enum ProviderKind
    {
        RUNTIME(RuntimeProvider.class, "runtime.type", "docker"),
        DATABASE(DatabaseProvider.class, "database.type", "postgres"),
        VCS(VcsProvider.class, "vcs.type", "git"),
        BACKUP(BackupStore.class, "backup.type", "filesystem"),
        MAIL(MailSink.class, "mail.type", "memory"),
        /** Where production's mail goes out ("none": production mail waits in its queue until one is set). */
        MAIL_RELAY(MailRelay.class, "mail.relay-type", "none");

        private final Class<? extends AutoCloseable> type;
        private final ConfigKey<String> configKey;
        private final String defaultName;

        ProviderKind(Class<? extends AutoCloseable> type, String key, String defaultName)
        {
            this.type = type;
            this.configKey = ConfigKey.of(key, ConfigType.nonEmptyString().check(name -> true, "a provider name, e.g. " + defaultName), defaultName,
                    "the provider of " + name().toLowerCase(Locale.ROOT).replace('_', ' ') + " to use, by its name");
            this.defaultName = defaultName;
        }

        /**
         * The provider interface of this kind, as {@link sh.stagehand.spi.ProviderFactory#kind()} names it.
         */
        public Class<? extends AutoCloseable> type()
        {
            return type;
        }

        public String key()
        {
            return configKey.name();
        }

        public ConfigKey<String> configKey()
        {
            return configKey;
        }

        public String defaultName()
        {
            return defaultName;
        }
    }

    /**
     * Backups on several stores, e.g. {@code eu,us}: one each, of the type
     * {@code backup.replica.<name>.type} (default filesystem), its keys
     * {@code backup.replica.<name>.<key>}; without it, the one store of {@code backup.type}.
     */
    public static final ConfigKey<List<String>> BACKUP_REPLICAS = ConfigKey.optional("backup.replicas",
            ConfigType.of("a list of replica names such as eu,us", StagehandConfig::replicaNames), "the replicas backups are stored on, comma-separated");

    /** The keys of the platform as a whole: its name, its directory, which provider of each kind. */
    public static final ConfigKeys KEYS = ConfigKeys.of("the platform", Stream.concat(Stream.of(INSTANCE_NAME, DATA_DIRECTORY, BACKUP_REPLICAS),
            Arrays.stream(ProviderKind.values()).map(ProviderKind::configKey)).toList());

    private final Map<String, String> properties;

    public StagehandConfig(Map<String, String> properties)
    {
        this.properties = Map.copyOf(requireNonNull(properties, "properties is null"));
    }

    public Optional<String> get(String key)
    {
        return Optional.ofNullable(properties.get(key));
    }

    /**
     * @return the values of the declared keys, read out of this configuration (the other keys are
     *         someone else's)
     */
    public ConfigValues values(ConfigKeys keys)
    {
        return keys.readDeclared(properties);
    }

    public String instanceName()
    {
        return values(KEYS).get(INSTANCE_NAME);
    }

    public Path dataDirectory()
    {
        return values(KEYS).get(DATA_DIRECTORY).toAbsolutePath();
    }

    /**
     * @return the configured provider name of that kind, or its default
     */
    public String providerName(ProviderKind kind)
    {
        return values(KEYS).get(kind.configKey());
    }

    private static List<String> replicaNames(String value)
    {
        List<String> names = Arrays.stream(value.split(",")).map(String::strip).filter(name -> !name.isEmpty()).toList();
        for (String name : names) {
            if (!name.matches("[a-z0-9][a-z0-9-]*") || names.indexOf(name) != names.lastIndexOf(name)) {
                throw new IllegalArgumentException("'" + name + "' is not a replica name (lower-case letters, digits and '-', each once)");
            }
        }
        return names;
    }

    /**
     * @return the names of {@link #BACKUP_REPLICAS}, none if it is not set
     */
    public List<String> backupReplicas()
    {
        return values(KEYS).optional(BACKUP_REPLICAS).orElse(List.of());
    }

    /**
     * @return the type of the replica's store, {@code backup.replica.<name>.type} (default filesystem)
     */
    public String replicaType(String replica)
    {
        return get("backup.replica." + replica + ".type").map(String::strip).orElse(ProviderKind.BACKUP.defaultName());
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
