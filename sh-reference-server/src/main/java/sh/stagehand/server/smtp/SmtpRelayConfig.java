package sh.stagehand.server.smtp;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.config.ConfigKey;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.config.ConfigType;
import sh.stagehand.spi.config.ConfigValues;

import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The SMTP relay production's mail goes out through ({@code mail.relay-type=smtp-relay}), keys
 * under {@code smtp-relay.}, declared in {@link #KEYS}.
 */
public record SmtpRelayConfig(String host, int port, Optional<String> user, Optional<String> password, boolean startTls)
{
    public static final ConfigKey<String> HOST = ConfigKey.required("smtp-relay.host", ConfigType.nonEmptyString(),
            "the relay production's mail goes out through, e.g. smtp.example.com");
    public static final ConfigKey<Integer> PORT = ConfigKey.of("smtp-relay.port", ConfigType.port(), "587", "its port (the submission port)");
    public static final ConfigKey<String> USER = ConfigKey.optional("smtp-relay.user", ConfigType.nonEmptyString(), "the login, if it asks for one");
    public static final ConfigKey<String> PASSWORD = ConfigKey.optional("smtp-relay.password", ConfigType.string(), "its password").secret();
    public static final ConfigKey<Boolean> STARTTLS = ConfigKey.of("smtp-relay.starttls", ConfigType.bool(), "true",
            "require STARTTLS (false only for a relay on a trusted network)");

    public static final ConfigKeys KEYS = ConfigKeys.of("the SMTP relay", HOST, PORT, USER, PASSWORD, STARTTLS);

    public SmtpRelayConfig
    {
        requireNonNull(host, "host is null");
        requireNonNull(user, "user is null");
        requireNonNull(password, "password is null");
    }

    public static SmtpRelayConfig fromMap(Map<String, String> config)
    {
        ConfigValues values = KEYS.read(config);
        Optional<String> user = values.optional(USER);
        Optional<String> password = values.optional(PASSWORD);
        if (user.isEmpty() && password.isPresent()) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, PASSWORD + " is set without " + USER + "; set both, or neither for a relay without login");
        }
        return new SmtpRelayConfig(values.get(HOST), values.get(PORT), user, password, values.get(STARTTLS));
    }

    @Override
    public String toString()
    {
        return "SmtpRelayConfig[" + host + ":" + port + user.map(name -> ", user " + name + ", password ***").orElse("") + (startTls ? ", STARTTLS" : "") + "]";
    }
}
