package sh.stagehand.server;

import sh.stagehand.server.http.ClientAddress;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * The server's own keys, beside the platform's:
 * <ul>
 * <li>{@code http.host}, {@code http.port}: where the API listens (default {@code 127.0.0.1}, 8080; 0 picks a free port)</li>
 * <li>{@code smtp.bind-address}, {@code smtp.port}: where the mail catcher listens (default {@code 0.0.0.0}, 2525; 0 picks a free port).
 *     Builds must reach it at {@code platform.smtp-host}:{@code platform.smtp-port}.</li>
 * <li>{@code platform.public-url}: shared with the platform, for the webhook URLs shown</li>
 * <li>{@code http.trusted-proxies}: the reverse proxies whose {@code X-Forwarded-For} is believed
 *     (addresses or networks, comma-separated; default none: the header is ignored), see {@link ClientAddress}</li>
 * <li>the {@link ServerLimits}: how much a client may send</li>
 * </ul>
 */
public record ServerConfig(String httpHost, int httpPort, InetAddress smtpBindAddress, int smtpPort, String publicUrl, List<String> trustedProxies, ServerLimits limits)
{
    public static final String HTTP_HOST = "http.host";
    public static final String HTTP_PORT = "http.port";
    public static final String SMTP_BIND_ADDRESS = "smtp.bind-address";
    public static final String SMTP_PORT = "smtp.port";

    public ServerConfig
    {
        requireNonNull(httpHost, "httpHost is null");
        requireNonNull(smtpBindAddress, "smtpBindAddress is null");
        requireNonNull(publicUrl, "publicUrl is null");
        trustedProxies = List.copyOf(requireNonNull(trustedProxies, "trustedProxies is null"));
        ClientAddress.trusting(trustedProxies);
        requireNonNull(limits, "limits is null");
    }

    public ServerConfig(String httpHost, int httpPort, InetAddress smtpBindAddress, int smtpPort, String publicUrl)
    {
        this(httpHost, httpPort, smtpBindAddress, smtpPort, publicUrl, List.of(), ServerLimits.DEFAULTS);
    }

    /**
     * @return who requests come from, as {@code http.trusted-proxies} says to read it
     */
    public ClientAddress clientAddress()
    {
        return ClientAddress.trusting(trustedProxies);
    }

    public static ServerConfig fromMap(Map<String, String> properties)
    {
        String smtpBind = properties.getOrDefault(SMTP_BIND_ADDRESS, "0.0.0.0");
        InetAddress smtpAddress;
        try {
            smtpAddress = InetAddress.getByName(smtpBind);
        }
        catch (UnknownHostException e) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, SMTP_BIND_ADDRESS + "=" + smtpBind + " is not an address of this host", e);
        }
        return new ServerConfig(
                properties.getOrDefault(HTTP_HOST, "127.0.0.1"),
                port(properties, HTTP_PORT, "8080"),
                smtpAddress,
                port(properties, SMTP_PORT, "2525"),
                properties.getOrDefault("platform.public-url", "http://127.0.0.1:" + port(properties, HTTP_PORT, "8080")),
                ClientAddress.parseList(properties.get(ClientAddress.TRUSTED_PROXIES)),
                ServerLimits.fromMap(properties));
    }

    private static int port(Map<String, String> properties, String key, String defaultValue)
    {
        long port = number(properties, key, defaultValue);
        if (port > 65535) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, key + "=" + port + " is not a TCP port (0 to 65535)");
        }
        return (int) port;
    }

    private static long number(Map<String, String> properties, String key, String defaultValue)
    {
        String value = properties.getOrDefault(key, defaultValue);
        try {
            long number = Long.parseLong(value.strip());
            if (number >= 0) {
                return number;
            }
        }
        catch (NumberFormatException ignored) {
            // reported below
        }
        throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, key + "=" + value + " is not a whole number of 0 or more");
    }
}
