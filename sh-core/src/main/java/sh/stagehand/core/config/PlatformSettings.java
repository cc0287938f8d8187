package sh.stagehand.core.config;

import sh.stagehand.core.project.Stage;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * How the platform runs builds, keys under {@code platform.}:
 * <ul>
 * <li>{@code platform.domain}: build host names are {@code <project>-<branch>-<build>.<domain>} (default {@code stagehand.localhost})</li>
 * <li>{@code platform.odoo-image}: the base Odoo image (default {@code odoo:17.0})</li>
 * <li>{@code platform.max-concurrent-builds}: builds prepared and tested at once; more wait in a queue (default 2)</li>
 * <li>{@code platform.development-retention-hours}: development builds older than this may be collected (default 72)</li>
 * <li>{@code platform.development-keep-per-branch}: the newest development builds of a branch that are always kept (default 2)</li>
 * <li>{@code platform.smtp-host}, {@code platform.smtp-port}: the mail catcher as containers reach it (default {@code 172.17.0.1}, 2525)</li>
 * <li>{@code platform.container-memory-mb}, {@code platform.container-cpus}, {@code platform.container-pids}: limits of each Odoo
 *     container: memory (no swap beyond it), CPUs, processes and threads (default 2048, 1.0, 512); a stage may have its own,
 *     {@code platform.<development|staging|production>.container-memory-mb} (and {@code -cpus}, {@code -pids})</li>
 * <li>{@code platform.install-timeout-minutes}: the longest an install with tests may take (default 30)</li>
 * <li>{@code platform.start-timeout-seconds}: the longest a server may take to answer HTTP (default 120)</li>
 * <li>{@code platform.public-url}: the platform's web address, for links in commit statuses (default {@code http://127.0.0.1:8080})</li>
 * <li>{@code platform.poll-interval-seconds}: how often repositories are polled for pushes, for remotes without webhooks (default 60; 0 never)</li>
 * <li>{@code platform.gc-interval-minutes}: how often old development builds are collected, and trials ended (default 60; 0 never)</li>
 * <li>{@code platform.trial-days}: how long a trial project keeps its production and staging branches (default 30, as Odoo.sh)</li>
 * <li>{@code platform.container-user}: the numeric {@code uid:gid} Odoo's containers run as, which owns what they write (default
 *     {@code 101:101}, the official image's {@code odoo} user)</li>
 * </ul>
 * Immutable and thread-safe.
 */
public record PlatformSettings(
        String domain,
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

    public static final String PREFIX = "platform.";
    private static final Set<String> KEYS = Set.of("domain", "odoo-image", "max-concurrent-builds", "development-retention-hours", "development-keep-per-branch",
            "smtp-host", "smtp-port", "container-memory-mb", "container-cpus", "install-timeout-minutes", "start-timeout-seconds", "public-url",
            "poll-interval-seconds", "gc-interval-minutes", "trial-days", "container-user", "container-pids",
            "development.container-memory-mb", "development.container-cpus", "development.container-pids",
            "staging.container-memory-mb", "staging.container-cpus", "staging.container-pids",
            "production.container-memory-mb", "production.container-cpus", "production.container-pids");

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
        Map<String, String> values = config.providerConfig("platform");
        for (String key : values.keySet()) {
            if (!KEYS.contains(key.substring(PREFIX.length()))) {
                throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, "Unknown configuration key " + key + "; the platform knows " + new TreeSet<>(KEYS.stream().map(name -> PREFIX + name).toList()));
            }
        }
        String domain = values.getOrDefault(PREFIX + "domain", "stagehand.localhost");
        if (!domain.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, PREFIX + "domain=" + domain + " is not a DNS domain");
        }
        String publicUrl = values.getOrDefault(PREFIX + "public-url", "http://127.0.0.1:8080");
        if (!publicUrl.matches("https?://[^\\s/?#]+(/[^\\s?#]*)?")) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, PREFIX + "public-url=" + publicUrl + " is not an http(s) URL such as https://sh.example.com");
        }
        return new PlatformSettings(
                domain,
                values.getOrDefault(PREFIX + "odoo-image", "odoo:17.0"),
                number(values, "max-concurrent-builds", "2", Integer::parseInt, 1),
                Duration.ofHours(number(values, "development-retention-hours", "72", Long::parseLong, 0L)),
                number(values, "development-keep-per-branch", "2", Integer::parseInt, 0),
                values.getOrDefault(PREFIX + "smtp-host", "172.17.0.1"),
                number(values, "smtp-port", "2525", Integer::parseInt, 1),
                number(values, "container-memory-mb", "2048", Long::parseLong, 0L) * 1024 * 1024,
                number(values, "container-cpus", "1.0", Double::parseDouble, 0.0),
                Duration.ofMinutes(number(values, "install-timeout-minutes", "30", Long::parseLong, 1L)),
                Duration.ofSeconds(number(values, "start-timeout-seconds", "120", Long::parseLong, 1L)),
                publicUrl,
                Duration.ofSeconds(number(values, "poll-interval-seconds", "60", Long::parseLong, 0L)),
                Duration.ofMinutes(number(values, "gc-interval-minutes", "60", Long::parseLong, 0L)),
                Duration.ofDays(number(values, "trial-days", "30", Long::parseLong, 1L)),
                containerUser(values.getOrDefault(PREFIX + "container-user", "101:101")),
                number(values, "container-pids", "512", Long::parseLong, 0L),
                stageLimits(values));
    }

    // Each stage's whole limits, from its own keys where given, else the platform's.
    private static Map<Stage, ContainerLimits> stageLimits(Map<String, String> values)
    {
        Map<Stage, ContainerLimits> limits = new java.util.EnumMap<>(Stage.class);
        for (Stage stage : Stage.values()) {
            String prefix = stage.name().toLowerCase(java.util.Locale.ROOT) + ".";
            limits.put(stage, new ContainerLimits(
                    number(values, prefix + "container-memory-mb", values.getOrDefault(PREFIX + "container-memory-mb", "2048"), Long::parseLong, 0L) * 1024 * 1024,
                    number(values, prefix + "container-cpus", values.getOrDefault(PREFIX + "container-cpus", "1.0"), Double::parseDouble, 0.0),
                    number(values, prefix + "container-pids", values.getOrDefault(PREFIX + "container-pids", "512"), Long::parseLong, 0L)));
        }
        return limits;
    }

    private static String containerUser(String value)
    {
        if (!value.strip().matches("[0-9]{1,10}:[0-9]{1,10}")) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, PREFIX + "container-user=" + value
                    + " is not a numeric uid:gid such as 101:101 (the official Odoo image's odoo user)");
        }
        return value.strip();
    }

    private static <N extends Comparable<N>> N number(Map<String, String> values, String name, String defaultValue, Function<String, N> parser, N minimum)
    {
        String value = values.getOrDefault(PREFIX + name, defaultValue).strip();
        N parsed;
        try {
            parsed = parser.apply(value);
        }
        catch (NumberFormatException e) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, PREFIX + name + "=" + value + " is not a number", e);
        }
        if (parsed.compareTo(minimum) < 0) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, PREFIX + name + "=" + value + " is below the minimum " + minimum);
        }
        return parsed;
    }
}
