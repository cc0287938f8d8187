package sh.stagehand.server;

import sh.stagehand.spi.config.ConfigKey;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.config.ConfigType;
import sh.stagehand.spi.config.ConfigValues;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The keys of the platform's metrics at {@code /metrics}, in Prometheus's text format, for a
 * scraper that shows the token of {@code metrics.token-file} as a bearer token.
 *
 * @param enabled whether {@code /metrics} is served at all
 * @param tokenFile the file of the scrape token, made on first start when absent; empty for
 *        {@code <data.directory>/metrics/scrape-token}
 */
public record MetricsConfig(boolean enabled, Optional<Path> tokenFile)
{
    public static final ConfigKey<Boolean> ENABLED = ConfigKey.of("metrics.enabled", ConfigType.bool(), "true",
            "whether the platform's metrics are served at /metrics, in Prometheus's format, to a scraper with the scrape token");
    public static final ConfigKey<Path> TOKEN_FILE = ConfigKey.optional("metrics.token-file", ConfigType.path(),
            "the file holding the scrape token /metrics asks for as 'Authorization: Bearer <token>' (default <data.directory>/metrics/scrape-token, made on first start)");
    public static final ConfigKeys KEYS = ConfigKeys.of("the platform's metrics", ENABLED, TOKEN_FILE);
    public static final MetricsConfig DEFAULTS = fromMap(Map.of());

    public MetricsConfig
    {
        requireNonNull(tokenFile, "tokenFile is null");
    }

    public static MetricsConfig fromMap(Map<String, String> properties)
    {
        ConfigValues values = KEYS.readDeclared(properties);
        return new MetricsConfig(values.get(ENABLED), values.optional(TOKEN_FILE));
    }
}
