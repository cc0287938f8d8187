package sh.stagehand.server.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.spi.RandomSecrets;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * The platform's metrics at {@code GET /metrics}, in Prometheus's text format, for a scraper that
 * shows the scrape token ({@code Authorization: Bearer <token>}; Prometheus's
 * {@code authorization.credentials_file}). The token is the content of a file of the platform's,
 * made {@code 0600} with a random token ({@value #TOKEN_PREFIX}…) on first start: per-build gauges
 * name every project and branch, which only the operator's scraper may read; the proxy never passes
 * such a token on to a build. Thread-safe.
 */
public final class MetricsEndpoint
{
    /** What the scrape tokens the platform makes begin with: never passed on to a build. */
    public static final String TOKEN_PREFIX = "shm_";
    private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final byte[] token;

    private MetricsEndpoint(PrometheusMeterRegistry registry, byte[] token)
    {
        this.registry = requireNonNull(registry, "registry is null");
        this.token = requireNonNull(token, "token is null");
    }

    /**
     * @param tokenFile the scrape token's file: read, or made with a new token when absent
     */
    public static MetricsEndpoint create(PrometheusMeterRegistry registry, Path tokenFile)
    {
        return new MetricsEndpoint(registry, readOrMakeToken(tokenFile).getBytes(StandardCharsets.UTF_8));
    }

    public void register(JavalinConfig config)
    {
        config.routes.get("/metrics", this::scrape);
    }

    private void scrape(Context context)
    {
        String authorization = context.header("Authorization");
        byte[] shown = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8)
                : new byte[0];
        if (!MessageDigest.isEqual(shown, token)) {
            context.header("WWW-Authenticate", "Bearer realm=\"stagehand-metrics\"");
            context.status(401).contentType("text/plain; charset=utf-8").result("The platform's metrics need the scrape token as 'Authorization: Bearer <token>': "
                    + "the content of the file of metrics.token-file (default <data.directory>/metrics/scrape-token)\n");
            return;
        }
        context.header("Cache-Control", "no-store");
        context.contentType(PROMETHEUS_TEXT).result(registry.scrape());
    }

    private static String readOrMakeToken(Path file)
    {
        try {
            if (!Files.exists(file)) {
                Path directory = Files.createDirectories(file.toAbsolutePath().getParent());
                // Written whole beside it, then moved in: a start at the same moment reads a whole token or makes its own.
                Path fresh = Files.createTempFile(directory, ".scrape-token-", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                try {
                    Files.writeString(fresh, TOKEN_PREFIX + RandomSecrets.randomHex(32) + "\n");
                    // A link, not a move: it never replaces a token another start put there.
                    Files.createLink(file, fresh);
                }
                catch (FileAlreadyExistsException e) {
                    // Another start made it meanwhile: read that one.
                }
                finally {
                    Files.deleteIfExists(fresh);
                }
            }
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.stream().anyMatch(permission -> permission.name().startsWith("GROUP_") || permission.name().startsWith("OTHERS_"))) {
                log.warn("The scrape token file {} is {}: other users of the host may read the platform's metrics; chmod 600 it", file, PosixFilePermissions.toString(permissions));
            }
            String token = Files.readString(file).strip();
            if (token.length() < 16) {
                throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, "The scrape token in " + file + " is " + token.length()
                        + " characters long; write one of at least 16 (e.g. shm_ and openssl rand -hex 32), or delete the file to have one made");
            }
            return token;
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, "Cannot read or make the scrape token file " + file + ": " + e.getMessage()
                    + "; point metrics.token-file at a file the platform can read, or a directory it can write", e);
        }
    }
}
