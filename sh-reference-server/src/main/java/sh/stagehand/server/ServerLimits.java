package sh.stagehand.server;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * How much a client may send the server, and where an upload waits while it is imported: every
 * client is a possible tenant, and a tenant may be hostile.
 * <ul>
 * <li>{@code http.max-upload-bytes}: the largest database import ({@code POST /api/projects/{p}/import/{branch}}),
 *     refused with 413 before it is stored if it says it is larger, cut off at this size if it does not (default 20 GiB)</li>
 * <li>{@code http.upload-directory}: where an import is spooled while it is imported; it needs room for that many bytes
 *     per import at once (default: the system's temporary directory)</li>
 * <li>{@code http.max-push-bytes}: the largest pack a {@code git push} to a hosted repository sends (default 2 GiB, GitHub's own)</li>
 * <li>{@code smtp.auth-attempts}: failed mail catcher logins from one address before it waits (default 5)</li>
 * <li>{@code smtp.auth-lockout}: the first wait, doubled at each further failure up to 64 times as long (ISO-8601, default {@code PT1M})</li>
 * </ul>
 * The rest are fixed by what they carry: an API request's JSON ({@link #MAX_JSON_BYTES}), a webhook's
 * payload ({@link #MAX_WEBHOOK_BYTES}), a mail ({@link #MAX_MAIL_BYTES}).
 */
public record ServerLimits(long maxUploadBytes, Path uploadDirectory, long maxPushBytes, int smtpAuthAttempts, Duration smtpAuthLockout)
{
    public static final String MAX_UPLOAD_BYTES = "http.max-upload-bytes";
    public static final String UPLOAD_DIRECTORY = "http.upload-directory";
    public static final String MAX_PUSH_BYTES = "http.max-push-bytes";
    public static final String SMTP_AUTH_ATTEMPTS = "smtp.auth-attempts";
    public static final String SMTP_AUTH_LOCKOUT = "smtp.auth-lockout";

    /** An API request's body: settings and names, never files. */
    public static final long MAX_JSON_BYTES = 1L << 20;
    /** A webhook's payload: GitHub sends none over 25 MB. */
    public static final long MAX_WEBHOOK_BYTES = 25L << 20;
    /** A mail a build sends, attachments included (what most mail servers take). */
    public static final int MAX_MAIL_BYTES = 25 << 20;

    public static final ServerLimits DEFAULTS = fromMap(Map.of());

    public ServerLimits
    {
        requireNonNull(uploadDirectory, "uploadDirectory is null");
        requireNonNull(smtpAuthLockout, "smtpAuthLockout is null");
        if (maxUploadBytes <= 0 || maxPushBytes <= 0 || smtpAuthAttempts <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    public static ServerLimits fromMap(Map<String, String> properties)
    {
        String directory = properties.getOrDefault(UPLOAD_DIRECTORY, System.getProperty("java.io.tmpdir")).strip();
        Path uploadDirectory;
        try {
            uploadDirectory = Path.of(directory).toAbsolutePath();
        }
        catch (InvalidPathException e) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, UPLOAD_DIRECTORY + "=" + directory + " is not a path", e);
        }
        return new ServerLimits(
                positive(properties, MAX_UPLOAD_BYTES, 20L << 30),
                uploadDirectory,
                positive(properties, MAX_PUSH_BYTES, 2L << 30),
                attempts(properties),
                duration(properties, SMTP_AUTH_LOCKOUT, "PT1M"));
    }

    private static long positive(Map<String, String> properties, String key, long defaultValue)
    {
        String value = properties.getOrDefault(key, Long.toString(defaultValue)).strip();
        try {
            long number = Long.parseLong(value);
            if (number > 0) {
                return number;
            }
        }
        catch (NumberFormatException ignored) {
            // reported below
        }
        throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, key + "=" + value + " is not a whole number of 1 or more");
    }

    private static int attempts(Map<String, String> properties)
    {
        long attempts = positive(properties, SMTP_AUTH_ATTEMPTS, 5);
        if (attempts > 9999) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, SMTP_AUTH_ATTEMPTS + "=" + attempts + " is not a number from 1 to 9999");
        }
        return (int) attempts;
    }

    private static Duration duration(Map<String, String> properties, String key, String defaultValue)
    {
        String value = properties.getOrDefault(key, defaultValue).strip();
        try {
            Duration duration = Duration.parse(value);
            if (!duration.isNegative() && !duration.isZero()) {
                return duration;
            }
        }
        catch (DateTimeParseException ignored) {
            // reported below
        }
        throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, key + "=" + value + " is not a positive ISO-8601 duration such as PT1M");
    }
}
