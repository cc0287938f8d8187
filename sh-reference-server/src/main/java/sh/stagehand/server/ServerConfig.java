package sh.stagehand.server;

import sh.stagehand.core.config.PlatformSettings;
import sh.stagehand.server.http.ClientAddress;
import sh.stagehand.server.ssh.SshConfig;
import sh.stagehand.spi.config.ConfigKey;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.config.ConfigType;
import sh.stagehand.spi.config.ConfigValues;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * The server's own keys, beside the platform's, declared in {@link #KEYS} (with {@link ServerLimits}'
 * and {@code platform.public-url}, shared with the platform, for the webhook URLs shown). Builds
 * reach the mail catcher at {@code platform.smtp-host}:{@code platform.smtp-port}.
 */
public record ServerConfig(String httpHost, int httpPort, InetAddress smtpBindAddress, int smtpPort, String publicUrl, List<String> trustedProxies, ServerLimits limits, SshConfig ssh,
        MetricsConfig metrics)
{
    public static final ConfigKey<String> HTTP_HOST = ConfigKey.of("http.host", ConfigType.nonEmptyString(), "127.0.0.1", "where the API listens");
    public static final ConfigKey<Integer> HTTP_PORT = ConfigKey.of("http.port", ConfigType.listenPort(), "8080", "the API's port");
    public static final ConfigKey<InetAddress> SMTP_BIND_ADDRESS = ConfigKey.of("smtp.bind-address", ConfigType.of("an address of this host", ServerConfig::address), "0.0.0.0",
            "where the mail catcher listens");
    public static final ConfigKey<Integer> SMTP_PORT = ConfigKey.of("smtp.port", ConfigType.listenPort(), "2525", "the mail catcher's port");
    /**
     * See {@link ClientAddress}.
     */
    public static final ConfigKey<List<String>> TRUSTED_PROXIES = ConfigKey.optional(ClientAddress.TRUSTED_PROXIES, ConfigType.list(),
            "the reverse proxies whose X-Forwarded-For is believed, addresses or networks, comma-separated (default none: the header is ignored)");

    /** Every key the server reads, for {@code Stagehand.Builder.withConfigKeys}. */
    public static final ConfigKeys KEYS = ConfigKeys.union("the server", List.of(
            ConfigKeys.of("the server", HTTP_HOST, HTTP_PORT, SMTP_BIND_ADDRESS, SMTP_PORT, TRUSTED_PROXIES, PlatformSettings.PUBLIC_URL), ServerLimits.KEYS, SshConfig.KEYS, MetricsConfig.KEYS));

    public ServerConfig
    {
        requireNonNull(httpHost, "httpHost is null");
        requireNonNull(smtpBindAddress, "smtpBindAddress is null");
        requireNonNull(publicUrl, "publicUrl is null");
        trustedProxies = List.copyOf(requireNonNull(trustedProxies, "trustedProxies is null"));
        ClientAddress.trusting(trustedProxies);
        requireNonNull(limits, "limits is null");
        requireNonNull(ssh, "ssh is null");
        requireNonNull(metrics, "metrics is null");
    }

    public ServerConfig(String httpHost, int httpPort, InetAddress smtpBindAddress, int smtpPort, String publicUrl)
    {
        this(httpHost, httpPort, smtpBindAddress, smtpPort, publicUrl, List.of(), ServerLimits.DEFAULTS, SshConfig.DEFAULTS, MetricsConfig.DEFAULTS);
    }

    /**
     * @return who requests come from, as {@code http.trusted-proxies} says to read it
     */
    public ClientAddress clientAddress()
    {
        return ClientAddress.trusting(trustedProxies);
    }

    /**
     * @param properties the configuration; keys other than the server's are the platform's
     */
    public static ServerConfig fromMap(Map<String, String> properties)
    {
        ConfigValues values = KEYS.readDeclared(properties);
        int httpPort = values.get(HTTP_PORT);
        return new ServerConfig(
                values.get(HTTP_HOST),
                httpPort,
                values.get(SMTP_BIND_ADDRESS),
                values.get(SMTP_PORT),
                // The server's own address, unless said otherwise.
                values.optional(PlatformSettings.PUBLIC_URL).orElse("http://127.0.0.1:" + httpPort),
                values.optional(TRUSTED_PROXIES).orElse(List.of()),
                ServerLimits.fromMap(properties),
                SshConfig.fromMap(properties),
                MetricsConfig.fromMap(properties));
    }

    private static InetAddress address(String value)
    {
        try {
            return InetAddress.getByName(value.strip());
        }
        catch (UnknownHostException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
