package sh.stagehand.core.access;

import sh.stagehand.core.config.StagehandConfig;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/**
 * How accounts authenticate, from the {@code auth.*} configuration keys:
 * <ul>
 * <li>{@code auth.session-idle}: a session ends after this long without a request (ISO-8601, default {@code PT8H})</li>
 * <li>{@code auth.session-max}: and this long after its login whatever happens (default {@code P7D})</li>
 * <li>{@code auth.login-attempts}: failed logins of a login from an address before they wait (default 5; an address
 *     whatever the logins: 4 times as many; a login from anywhere: 20 times as many before each address has one try)</li>
 * <li>{@code auth.login-lockout}: the first wait, doubled at each further failure up to 16 times as long (default {@code PT1M})</li>
 * <li>{@code auth.github-url}: where a user's public SSH keys are read, {@code <url>/<user>.keys} (default {@code https://github.com})</li>
 * </ul>
 */
public record AuthSettings(Duration sessionIdle, Duration sessionMax, int loginAttempts, Duration loginLockout, URI githubUrl)
{
    private static final String PREFIX = "auth.";
    private static final Set<String> KEYS = Set.of("session-idle", "session-max", "login-attempts", "login-lockout", "github-url");

    public AuthSettings
    {
        requireNonNull(sessionIdle, "sessionIdle is null");
        requireNonNull(sessionMax, "sessionMax is null");
        requireNonNull(loginLockout, "loginLockout is null");
        requireNonNull(githubUrl, "githubUrl is null");
    }

    public static AuthSettings fromConfig(StagehandConfig config)
    {
        Map<String, String> values = config.providerConfig("auth");
        for (String key : values.keySet()) {
            if (!KEYS.contains(key.substring(PREFIX.length()))) {
                throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, "Unknown configuration key " + key + "; accounts know "
                        + new TreeSet<>(KEYS.stream().map(name -> PREFIX + name).toList()));
            }
        }
        String attempts = values.getOrDefault(PREFIX + "login-attempts", "5").strip();
        if (!attempts.matches("[1-9][0-9]{0,3}")) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, PREFIX + "login-attempts=" + attempts + " is not a number from 1 to 9999");
        }
        String github = values.getOrDefault(PREFIX + "github-url", "https://github.com").strip().replaceAll("/+$", "");
        if (!github.matches("https?://\\S+")) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, PREFIX + "github-url=" + github + " is not an http(s) URL");
        }
        return new AuthSettings(duration(values, "session-idle", "PT8H"), duration(values, "session-max", "P7D"), Integer.parseInt(attempts),
                duration(values, "login-lockout", "PT1M"), URI.create(github));
    }

    private static Duration duration(Map<String, String> values, String name, String defaultValue)
    {
        String value = values.getOrDefault(PREFIX + name, defaultValue).strip();
        try {
            Duration duration = Duration.parse(value);
            if (duration.isNegative() || duration.isZero()) {
                throw new DateTimeParseException("not positive", value, 0);
            }
            return duration;
        }
        catch (DateTimeParseException e) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, PREFIX + name + "=" + value + " is not a positive ISO-8601 duration such as PT8H or P7D");
        }
    }
}
