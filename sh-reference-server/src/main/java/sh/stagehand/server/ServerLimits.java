package sh.stagehand.server;

import sh.stagehand.spi.config.ConfigKey;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.config.ConfigType;
import sh.stagehand.spi.config.ConfigValues;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * How much a client may send the server, and where an upload waits while it is imported: every
 * client is a possible tenant, and a tenant may be hostile. Its keys are declared below, and are
 * part of {@link ServerConfig#KEYS}. The rest are fixed by what they carry: an API request's JSON
 * ({@link #MAX_JSON_BYTES}), a webhook's payload ({@link #MAX_WEBHOOK_BYTES}), a mail
 * ({@link #MAX_MAIL_BYTES}).
 */
public record ServerLimits(long maxUploadBytes, Path uploadDirectory, long maxPushBytes, int smtpAuthAttempts, Duration smtpAuthLockout)
{
    /**
     * The largest database import ({@code POST /api/projects/{p}/import/{branch}}): refused with 413
     * before it is stored if it says it is larger, cut off at this size if it does not.
     */
    public static final ConfigKey<Long> MAX_UPLOAD_BYTES = ConfigKey.of("http.max-upload-bytes", ConfigType.size(), "20GB", "the largest database import");
    public static final ConfigKey<Path> UPLOAD_DIRECTORY = ConfigKey.optional("http.upload-directory", ConfigType.path(),
            "where an import is spooled while it is imported, with room for http.max-upload-bytes per import at once (default: the system's temporary directory)");
    public static final ConfigKey<Long> MAX_PUSH_BYTES = ConfigKey.of("http.max-push-bytes", ConfigType.size(), "2GB",
            "the largest pack a git push to a hosted repository sends (GitHub's own limit)");
    public static final ConfigKey<Integer> SMTP_AUTH_ATTEMPTS = ConfigKey.of("smtp.auth-attempts", ConfigType.integer(1, 9999), "5",
            "failed mail catcher logins from one address before it waits");
    public static final ConfigKey<Duration> SMTP_AUTH_LOCKOUT = ConfigKey.of("smtp.auth-lockout", ConfigType.duration(), "1m",
            "the first wait, doubled at each further failure up to 64 times as long");

    public static final ConfigKeys KEYS = ConfigKeys.of("the server's limits", MAX_UPLOAD_BYTES, UPLOAD_DIRECTORY, MAX_PUSH_BYTES, SMTP_AUTH_ATTEMPTS, SMTP_AUTH_LOCKOUT);

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

    /**
     * @param properties the configuration; keys other than these are someone else's
     */
    public static ServerLimits fromMap(Map<String, String> properties)
    {
        ConfigValues values = KEYS.readDeclared(properties);
        return new ServerLimits(
                values.get(MAX_UPLOAD_BYTES),
                values.optional(UPLOAD_DIRECTORY).orElse(Path.of(System.getProperty("java.io.tmpdir"))).toAbsolutePath(),
                values.get(MAX_PUSH_BYTES),
                values.get(SMTP_AUTH_ATTEMPTS),
                values.get(SMTP_AUTH_LOCKOUT));
    }
}
