package sh.stagehand.server.smtp;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/**
 * The SMTP relay production's mail goes out through ({@code mail.relay-type=smtp-relay}), keys
 * under {@code smtp-relay.}:
 * <ul>
 * <li>{@code smtp-relay.host}: the relay's host name (required)</li>
 * <li>{@code smtp-relay.port}: its port (default 587, the submission port)</li>
 * <li>{@code smtp-relay.user}, {@code smtp-relay.password}: credentials, if it asks for them (the password a secret)</li>
 * <li>{@code smtp-relay.starttls}: require STARTTLS (default true; false only for a relay on a trusted network)</li>
 * </ul>
 */
public record SmtpRelayConfig(String host, int port, Optional<String> user, Optional<String> password, boolean startTls)
{
    public static final String HOST = "smtp-relay.host";
    public static final String PORT = "smtp-relay.port";
    public static final String USER = "smtp-relay.user";
    public static final String PASSWORD = "smtp-relay.password";
    public static final String STARTTLS = "smtp-relay.starttls";
    private static final Set<String> KEYS = Set.of(HOST, PORT, USER, PASSWORD, STARTTLS);

    public SmtpRelayConfig
    {
        requireNonNull(host, "host is null");
        requireNonNull(user, "user is null");
        requireNonNull(password, "password is null");
    }

    public static SmtpRelayConfig fromMap(Map<String, String> config)
    {
        for (String key : config.keySet()) {
            if (!KEYS.contains(key)) {
                throw invalid("Unknown configuration key " + key + "; the SMTP relay knows " + new TreeSet<>(KEYS));
            }
        }
        String host = config.getOrDefault(HOST, "").strip();
        if (host.isEmpty()) {
            throw invalid(HOST + " is not set: name the SMTP relay production's mail goes out through, e.g. " + HOST + "=smtp.example.com");
        }
        String portValue = config.getOrDefault(PORT, "587").strip();
        int port;
        try {
            port = Integer.parseInt(portValue);
        }
        catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw invalid(PORT + "=" + portValue + " is not a TCP port (1 to 65535)");
        }
        String startTls = config.getOrDefault(STARTTLS, "true").strip();
        if (!startTls.equals("true") && !startTls.equals("false")) {
            throw invalid(STARTTLS + "=" + startTls + " is neither true nor false");
        }
        Optional<String> user = Optional.ofNullable(config.get(USER)).filter(value -> !value.isBlank());
        Optional<String> password = Optional.ofNullable(config.get(PASSWORD)).filter(value -> !value.isEmpty());
        if (user.isEmpty() && password.isPresent()) {
            throw invalid(PASSWORD + " is set without " + USER + "; set both, or neither for a relay without login");
        }
        return new SmtpRelayConfig(host, port, user, password, Boolean.parseBoolean(startTls));
    }

    private static StagehandException invalid(String message)
    {
        return new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, message);
    }

    @Override
    public String toString()
    {
        return "SmtpRelayConfig[" + host + ":" + port + user.map(name -> ", user " + name + ", password ***").orElse("") + (startTls ? ", STARTTLS" : "") + "]";
    }
}
