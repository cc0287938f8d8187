package sh.stagehand.core.access;

import sh.stagehand.core.config.StagehandConfig;
import sh.stagehand.spi.config.ConfigKey;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.config.ConfigType;
import sh.stagehand.spi.config.ConfigValues;

import java.net.URI;
import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * How accounts authenticate, keys under {@code auth.}, declared in {@link #KEYS}.
 */
public record AuthSettings(Duration sessionIdle, Duration sessionMax, int loginAttempts, Duration loginLockout, URI githubUrl)
{
    public static final ConfigKey<Duration> SESSION_IDLE = ConfigKey.of("auth.session-idle", ConfigType.duration(), "8h", "a session ends after this long without a request");
    public static final ConfigKey<Duration> SESSION_MAX = ConfigKey.of("auth.session-max", ConfigType.duration(), "7d", "and this long after its login whatever happens");
    /**
     * An address whatever the logins may fail 4 times as many; a login from anywhere 20 times as
     * many before each address has one try.
     */
    public static final ConfigKey<Integer> LOGIN_ATTEMPTS = ConfigKey.of("auth.login-attempts", ConfigType.integer(1, 9999), "5",
            "failed logins of a login from an address before they wait");
    public static final ConfigKey<Duration> LOGIN_LOCKOUT = ConfigKey.of("auth.login-lockout", ConfigType.duration(), "1m",
            "the first wait, doubled at each further failure up to 16 times as long");
    public static final ConfigKey<URI> GITHUB_URL = ConfigKey.of("auth.github-url", ConfigType.httpUrl().map(url -> URI.create(url.toString().replaceAll("/+$", ""))),
            "https://github.com", "where a user's public SSH keys are read, <url>/<user>.keys");

    public static final ConfigKeys KEYS = ConfigKeys.of("accounts", SESSION_IDLE, SESSION_MAX, LOGIN_ATTEMPTS, LOGIN_LOCKOUT, GITHUB_URL);

    public AuthSettings
    {
        requireNonNull(sessionIdle, "sessionIdle is null");
        requireNonNull(sessionMax, "sessionMax is null");
        requireNonNull(loginLockout, "loginLockout is null");
        requireNonNull(githubUrl, "githubUrl is null");
    }

    public static AuthSettings fromConfig(StagehandConfig config)
    {
        ConfigValues values = KEYS.read(config.providerConfig("auth"));
        return new AuthSettings(values.get(SESSION_IDLE), values.get(SESSION_MAX), values.get(LOGIN_ATTEMPTS), values.get(LOGIN_LOCKOUT), values.get(GITHUB_URL));
    }
}
