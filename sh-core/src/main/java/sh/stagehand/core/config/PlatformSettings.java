package sh.stagehand.core.config;

import sh.stagehand.core.project.Stage;
import sh.stagehand.spi.config.ConfigKey;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.config.ConfigType;
import sh.stagehand.spi.config.ConfigValues;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * How the platform runs builds, keys under {@code platform.}, declared in {@link #KEYS}. A stage may
 * have container limits of its own, {@code platform.<development|staging|production>.container-memory-mb}
 * (and {@code -cpus}, {@code -pids}); else it has the platform's.
 * Immutable and thread-safe.
 */
public record PlatformSettings(        String domain,
        String odooImage,
        int maxConcurrentBuilds,
        Duration developmentRetention,
        int developmentKeepPerBranch,
        String smtpHost,
        int smtpPort,
        long containerMemoryBytes,
        double containerCpus,
        Duration installTimeout,
        Duration startTimeout,
        String publicUrl,
        Duration pollInterval,
        Duration gcInterval,
        Duration trialLength,
        String containerUser,
        long containerPids,
        Map<Stage, ContainerLimits> stageLimits)
{
    /**
     * What one Odoo container of a stage may use.
     *
     * @param memoryBytes memory, no swap beyond it; 0 for no limit
     * @param cpus CPUs; 0 for no limit
     * @param pids processes and threads at once; 0 for no limit
     */
    public record ContainerLimits(long memoryBytes, double cpus, long pids)
    {
    }

    /**
     * The limits of a stage's Odoo containers: its own where set, else the platform's.
     */
    public ContainerLimits limits(Stage stage)
    {
        return stageLimits.getOrDefault(stage, new ContainerLimits(containerMemoryBytes, containerCpus, containerPids));
    }

    public static final ConfigKey<String> DOMAIN = ConfigKey.of("platform.domain",
            ConfigType.nonEmptyString().check(domain -> domain.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*"), "a DNS domain"),
            "stagehand.localhost", "build host names are <project>-<branch>-<build>.<domain>");
    public static final ConfigKey<String> ODOO_IMAGE = ConfigKey.of("platform.odoo-image", ConfigType.nonEmptyString(), "odoo:17.0", "the base Odoo image");
    public static final ConfigKey<Integer> MAX_CONCURRENT_BUILDS = ConfigKey.of("platform.max-concurrent-builds", ConfigType.positiveInteger(), "2",
            "builds prepared and tested at once; more wait in a queue");
    public static final ConfigKey<Duration> DEVELOPMENT_RETENTION = ConfigKey.of("platform.development-retention", ConfigType.durationOrZero(), "72h",
            "development builds older than this may be collected").formerly("platform.development-retention-hours");
    public static final ConfigKey<Integer> DEVELOPMENT_KEEP_PER_BRANCH = ConfigKey.of("platform.development-keep-per-branch", ConfigType.integer(0, Integer.MAX_VALUE), "2",
            "the newest development builds of a branch that are always kept");
    public static final ConfigKey<String> SMTP_HOST = ConfigKey.of("platform.smtp-host", ConfigType.nonEmptyString(), "172.17.0.1", "the mail catcher's host, as containers reach it");
    public static final ConfigKey<Integer> SMTP_PORT = ConfigKey.of("platform.smtp-port", ConfigType.port(), "2525", "the mail catcher's port, as containers reach it");
    public static final ConfigKey<Long> CONTAINER_MEMORY_MB = ConfigKey.of("platform.container-memory-mb", ConfigType.longInteger(0, Long.MAX_VALUE >> 20), "2048",
            "the memory in MiB of each Odoo container, no swap beyond it (0: no limit)");
    public static final ConfigKey<Double> CONTAINER_CPUS = ConfigKey.of("platform.container-cpus", ConfigType.decimal(0.0), "1.0", "the CPUs of each Odoo container (0: no limit)");
    public static final ConfigKey<Long> CONTAINER_PIDS = ConfigKey.of("platform.container-pids", ConfigType.longInteger(0, Long.MAX_VALUE), "512",
            "the processes and threads of each Odoo container (0: no limit)");
    public static final ConfigKey<Duration> INSTALL_TIMEOUT = ConfigKey.of("platform.install-timeout", ConfigType.duration(), "30m",
            "the longest an install with tests may take").formerly("platform.install-timeout-minutes");
    public static final ConfigKey<Duration> START_TIMEOUT = ConfigKey.of("platform.start-timeout", ConfigType.duration(), "2m",
            "the longest a server may take to answer HTTP").formerly("platform.start-timeout-seconds");
    /**
     * The reference server's default is its own address ({@code http.port}).
     */
    public static final ConfigKey<String> PUBLIC_URL = ConfigKey.of("platform.public-url",
            ConfigType.nonEmptyString().check(url -> url.matches("https?://[^\\s/?#]+(/[^\\s?#]*)?"), "an http(s) URL such as https://sh.example.com"),
            "http://127.0.0.1:8080", "the platform's web address, for links in commit statuses and webhook URLs");
    public static final ConfigKey<Duration> POLL_INTERVAL = ConfigKey.of("platform.poll-interval", ConfigType.durationOrZero(), "60s",
            "how often repositories are polled for pushes, for remotes without webhooks (0: never)").formerly("platform.poll-interval-seconds");
    public static final ConfigKey<Duration> GC_INTERVAL = ConfigKey.of("platform.gc-interval", ConfigType.durationOrZero(), "1h",
            "how often old development builds are collected, and trials ended (0: never)").formerly("platform.gc-interval-minutes");
    public static final ConfigKey<Duration> TRIAL_LENGTH = ConfigKey.of("platform.trial-length", ConfigType.duration(), "30d",
            "how long a trial project keeps its production and staging branches, as Odoo.sh").formerly("platform.trial-days");
    public static final ConfigKey<String> CONTAINER_USER = ConfigKey.of("platform.container-user",
            ConfigType.nonEmptyString().check(user -> user.matches("[0-9]{1,10}:[0-9]{1,10}"), "a numeric uid:gid such as 101:101 (the official Odoo image's odoo user)"),
            "101:101", "the numeric uid:gid Odoo's containers run as, which owns what they write");

    private static final Map<Stage, StageKeys> STAGE_KEYS = stageKeys();

    public static final ConfigKeys KEYS = ConfigKeys.of("the platform's settings", Stream.concat(
            Stream.of(DOMAIN, ODOO_IMAGE, MAX_CONCURRENT_BUILDS, DEVELOPMENT_RETENTION, DEVELOPMENT_KEEP_PER_BRANCH, SMTP_HOST, SMTP_PORT, CONTAINER_MEMORY_MB, CONTAINER_CPUS,
                    CONTAINER_PIDS, INSTALL_TIMEOUT, START_TIMEOUT, PUBLIC_URL, POLL_INTERVAL, GC_INTERVAL, TRIAL_LENGTH, CONTAINER_USER),
            STAGE_KEYS.values().stream().flatMap(keys -> Stream.of(keys.memoryMb(), keys.cpus(), keys.pids()))).toList());

    public PlatformSettings
    {
        requireNonNull(domain, "domain is null");
        requireNonNull(odooImage, "odooImage is null");
        requireNonNull(developmentRetention, "developmentRetention is null");
        requireNonNull(smtpHost, "smtpHost is null");
        requireNonNull(installTimeout, "installTimeout is null");
        requireNonNull(startTimeout, "startTimeout is null");
        requireNonNull(publicUrl, "publicUrl is null");
        requireNonNull(pollInterval, "pollInterval is null");
        requireNonNull(gcInterval, "gcInterval is null");
        requireNonNull(trialLength, "trialLength is null");
        requireNonNull(containerUser, "containerUser is null");
        stageLimits = Map.copyOf(requireNonNull(stageLimits, "stageLimits is null"));
    }

    public static PlatformSettings fromConfig(StagehandConfig config)
    {
        ConfigValues values = KEYS.read(config.providerConfig("platform"));
        long memoryMb = values.get(CONTAINER_MEMORY_MB);
        double cpus = values.get(CONTAINER_CPUS);
        long pids = values.get(CONTAINER_PIDS);
        Map<Stage, ContainerLimits> stageLimits = new EnumMap<>(Stage.class);
        STAGE_KEYS.forEach((stage, keys) -> stageLimits.put(stage, new ContainerLimits(
                values.optional(keys.memoryMb()).orElse(memoryMb) * 1024 * 1024,
                values.optional(keys.cpus()).orElse(cpus),
                values.optional(keys.pids()).orElse(pids))));
        return new PlatformSettings(
                values.get(DOMAIN),
                values.get(ODOO_IMAGE),
                values.get(MAX_CONCURRENT_BUILDS),
                values.get(DEVELOPMENT_RETENTION),
                values.get(DEVELOPMENT_KEEP_PER_BRANCH),
                values.get(SMTP_HOST),
                values.get(SMTP_PORT),
                memoryMb * 1024 * 1024,
                cpus,
                values.get(INSTALL_TIMEOUT),
                values.get(START_TIMEOUT),
                values.get(PUBLIC_URL),
                values.get(POLL_INTERVAL),
                values.get(GC_INTERVAL),
                values.get(TRIAL_LENGTH),
                values.get(CONTAINER_USER),
                pids,
                stageLimits);
    }

    // A stage's own limits: platform.<stage>.container-memory-mb, -cpus and -pids.
    private record StageKeys(ConfigKey<Long> memoryMb, ConfigKey<Double> cpus, ConfigKey<Long> pids)
    {
    }

    private static Map<Stage, StageKeys> stageKeys()
    {
        Map<Stage, StageKeys> keys = new EnumMap<>(Stage.class);
        for (Stage stage : Stage.values()) {
            String prefix = "platform." + stage.name().toLowerCase(Locale.ROOT) + ".";
            String which = " of the " + stage.name().toLowerCase(Locale.ROOT) + " stage's Odoo containers (default: the platform's)";
            keys.put(stage, new StageKeys(
                    ConfigKey.optional(prefix + "container-memory-mb", CONTAINER_MEMORY_MB.type(), "the memory in MiB" + which),
                    ConfigKey.optional(prefix + "container-cpus", CONTAINER_CPUS.type(), "the CPUs" + which),
                    ConfigKey.optional(prefix + "container-pids", CONTAINER_PIDS.type(), "the processes and threads" + which)));
        }
        return keys;
    }
}
