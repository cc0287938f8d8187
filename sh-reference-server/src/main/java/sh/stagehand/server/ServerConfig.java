package sh.stagehand.server;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.util.Map;

/**
 * The server's own keys, beside the platform's:
 * <ul>
 * <li>{@code http.host}: the address to listen on (default {@code 127.0.0.1})</li>
 * <li>{@code http.port}: the port (default 8080; 0 picks a free one)</li>
 * </ul>
 */
public record ServerConfig(String httpHost, int httpPort)
{
    public static final String HTTP_HOST = "http.host";
    public static final String HTTP_PORT = "http.port";

    public static ServerConfig fromMap(Map<String, String> properties)
    {
        String portValue = properties.getOrDefault(HTTP_PORT, "8080");
        int port;
        try {
            port = Integer.parseInt(portValue.strip());
        }
        catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, HTTP_PORT + "=" + portValue + " is not a TCP port (0 to 65535)");
        }
        return new ServerConfig(properties.getOrDefault(HTTP_HOST, "127.0.0.1"), port);
    }
}
