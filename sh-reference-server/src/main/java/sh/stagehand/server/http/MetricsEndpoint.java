package sh.stagehand.server.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import sh.stagehand.spi.RandomSecrets;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;

import static java.util.Objects.requireNonNull;

/**
 * The platform's metrics at {@code GET /metrics}, in Prometheus's text format, for a scraper that
 * shows the scrape token ({@code Authorization: Bearer <token>}; Prometheus's
 * {@code authorization.credentials_file}). The token is the content of a file of the platform's,
 * made {@code 0600} with a random token on first start: per-build gauges name every project and
 * branch, which only the operator's scraper may read. Thread-safe.
 */
public final class MetricsEndpoint
{
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
                Files.createDirectories(file.toAbsolutePath().getParent());
                try {
                    Files.writeString(Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                            RandomSecrets.randomHex(32) + "\n", StandardOpenOption.WRITE);
                }
                catch (FileAlreadyExistsException e) {
                    // Another start made it meanwhile: read it.
                }
            }
            String token = Files.readString(file).strip();
            if (token.length() < 16) {
                throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, "The scrape token in " + file + " is " + token.length()
                        + " characters long; write one of at least 16 (e.g. openssl rand -hex 32), or delete the file to have one made");
            }
            return token;
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, "Cannot read or make the scrape token file " + file + ": " + e.getMessage()
                    + "; point metrics.token-file at a file the platform can read, or a directory it can write", e);
        }
    }
}
