package sh.stagehand.postgres;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseNames;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/**
 * Configuration of the PostgreSQL provider, keys under {@code postgres.}:
 * <ul>
 * <li>{@code postgres.url}: JDBC URL of a maintenance database on the server (default
 *     {@code jdbc:postgresql://127.0.0.1:5432/postgres})</li>
 * <li>{@code postgres.user}: a role with CREATEDB, which will own the build databases (default {@code odoo});
 *     not a superuser, and not {@code postgres}, which Odoo refuses to run as</li>
 * <li>{@code postgres.password}: its password (secret; default empty), or {@code postgres.password-file}: a file
 *     holding it (kept 0600), so that the secret is in no configuration file</li>
 * <li>{@code postgres.container-host}, {@code postgres.container-port}: where containers reach the
 *     server (default: the URL's host and port)</li>
 * <li>{@code postgres.pool-size}: connections per pool (default 4)</li>
 * <li>{@code postgres.metadata-database}: the platform's own database, created when missing
 *     (default {@code stagehand})</li>
 * <li>{@code postgres.metadata-user}, {@code postgres.metadata-password} (or {@code postgres.metadata-password-file}):
 *     the role the platform's own database is reached as, which should be a role of its own, owning only that database,
 *     that no build's network can log in as (default: {@code postgres.user} and its password)</li>
 * <li>{@code postgres.client-bin-directory}: where {@code pg_dump} and {@code pg_restore} are, of
 *     the server's major version or newer (default: the newest {@code /usr/lib/postgresql/N/bin},
 *     as Debian and Ubuntu install them, else the {@code PATH})</li>
 * <li>{@code postgres.copy-jobs}: how a database in use is copied (a staging copy of production):
 *     1 streams {@code pg_dump} into {@code pg_restore}, no disk needed; more dumps to a scratch
 *     directory in parallel, then restores in parallel, with that many jobs each (default: the
 *     host's cores, at most 4; measured in bin/bench)</li>
 * <li>{@code postgres.copy-scratch-directory}: where a parallel copy's dump is kept while it is
 *     restored; needs room for the database, uncompressed (default: the system's temporary directory)</li>
 * </ul>
 */
public record PostgresConfig(String url, String user, String password, String containerHost, int containerPort, int poolSize, String metadataDatabase, Optional<Path> clientBinDirectory,
        int copyJobs, Optional<Path> copyScratchDirectory, String metadataUser, String metadataPassword)
{
    public static final String URL = "postgres.url";
    public static final String USER = "postgres.user";
    public static final String PASSWORD = "postgres.password";
    public static final String PASSWORD_FILE = "postgres.password-file";
    public static final String CONTAINER_HOST = "postgres.container-host";
    public static final String CONTAINER_PORT = "postgres.container-port";
    public static final String POOL_SIZE = "postgres.pool-size";
    public static final String METADATA_DATABASE = "postgres.metadata-database";
    public static final String METADATA_USER = "postgres.metadata-user";
    public static final String METADATA_PASSWORD = "postgres.metadata-password";
    public static final String METADATA_PASSWORD_FILE = "postgres.metadata-password-file";
    public static final String CLIENT_BIN_DIRECTORY = "postgres.client-bin-directory";
    public static final String COPY_JOBS = "postgres.copy-jobs";
    public static final String COPY_SCRATCH_DIRECTORY = "postgres.copy-scratch-directory";

    private static final Set<String> KEYS = Set.of(URL, USER, PASSWORD, PASSWORD_FILE, CONTAINER_HOST, CONTAINER_PORT, POOL_SIZE, METADATA_DATABASE, METADATA_USER, METADATA_PASSWORD,
            METADATA_PASSWORD_FILE, CLIENT_BIN_DIRECTORY, COPY_JOBS, COPY_SCRATCH_DIRECTORY);

    public PostgresConfig
    {
        requireNonNull(url, "url is null");
        requireNonNull(user, "user is null");
        requireNonNull(password, "password is null");
        requireNonNull(containerHost, "containerHost is null");
        requireNonNull(metadataDatabase, "metadataDatabase is null");
        requireNonNull(clientBinDirectory, "clientBinDirectory is null");
        requireNonNull(copyScratchDirectory, "copyScratchDirectory is null");
        requireNonNull(metadataUser, "metadataUser is null");
        requireNonNull(metadataPassword, "metadataPassword is null");
    }

    public static PostgresConfig fromMap(Map<String, String> config)
    {
        for (String key : config.keySet()) {
            if (!KEYS.contains(key)) {
                throw invalid("Unknown configuration key " + key + "; the PostgreSQL provider knows " + new TreeSet<>(KEYS));
            }
        }
        Map<String, String> values = new HashMap<>(config);
        String url = values.getOrDefault(URL, "jdbc:postgresql://127.0.0.1:5432/postgres");
        if (!url.startsWith("jdbc:postgresql://")) {
            throw invalid(URL + "=" + url + " is not a PostgreSQL JDBC URL; expected jdbc:postgresql://HOST:PORT/DATABASE");
        }
        URI uri;
        try {
            uri = URI.create(url.substring("jdbc:".length()));
        }
        catch (IllegalArgumentException e) {
            throw invalid(URL + "=" + url + " is not a valid URL: " + e.getMessage());
        }
        if (uri.getHost() == null) {
            throw invalid(URL + "=" + url + " names no host; expected jdbc:postgresql://HOST:PORT/DATABASE");
        }
        int urlPort = uri.getPort() == -1 ? 5432 : uri.getPort();
        String user = values.getOrDefault(USER, "odoo");
        String password = secret(values, PASSWORD, PASSWORD_FILE).orElse("");
        return new PostgresConfig(
                url,
                user,
                password,
                values.getOrDefault(CONTAINER_HOST, uri.getHost()),
                parsePort(CONTAINER_PORT, values.getOrDefault(CONTAINER_PORT, Integer.toString(urlPort))),
                parsePositive(POOL_SIZE, values.getOrDefault(POOL_SIZE, "4")),
                metadataDatabase(values.getOrDefault(METADATA_DATABASE, "stagehand")),
                optionalPath(values.get(CLIENT_BIN_DIRECTORY)),
                parsePositive(COPY_JOBS, values.getOrDefault(COPY_JOBS, Integer.toString(Math.min(4, Runtime.getRuntime().availableProcessors())))),
                optionalPath(values.get(COPY_SCRATCH_DIRECTORY)),
                values.getOrDefault(METADATA_USER, user),
                secret(values, METADATA_PASSWORD, METADATA_PASSWORD_FILE).orElse(values.containsKey(METADATA_USER) ? "" : password));
    }

    // A secret given as it is, or as a file holding it (its first line), never both.
    private static Optional<String> secret(Map<String, String> values, String key, String fileKey)
    {
        if (values.containsKey(key) && values.containsKey(fileKey)) {
            throw invalid("Both " + key + " and " + fileKey + " are set; keep one (the file keeps the secret out of the configuration)");
        }
        if (!values.containsKey(fileKey)) {
            return Optional.ofNullable(values.get(key));
        }
        Path file = Path.of(values.get(fileKey).strip());
        try {
            return Optional.of(java.nio.file.Files.readAllLines(file).stream().findFirst().orElse("").strip());
        }
        catch (java.io.IOException e) {
            throw invalid("Cannot read " + fileKey + "=" + file + " (" + e.getMessage() + "); point it at a readable file holding the password");
        }
    }

    private static Optional<Path> optionalPath(String value)
    {
        return Optional.ofNullable(value).map(String::strip).filter(path -> !path.isEmpty()).map(Path::of);
    }

    private static String metadataDatabase(String name)
    {
        if (!DatabaseNames.isValid(name)) {
            throw invalid(METADATA_DATABASE + "=" + name + " is not a valid database name: use letters, digits, '_', '.' and '-'");
        }
        return name;
    }

    /**
     * The JDBC URL of another database on the same server: host, port and parameters kept.
     */
    public String urlFor(String database)
    {
        int pathStart = url.indexOf('/', "jdbc:postgresql://".length());
        int query = url.indexOf('?');
        String parameters = query == -1 ? "" : url.substring(query);
        String server = pathStart == -1 ? (query == -1 ? url : url.substring(0, query)) : url.substring(0, pathStart);
        return server + "/" + database + parameters;
    }

    private static int parsePort(String key, String value)
    {
        int port = parsePositive(key, value);
        if (port > 65535) {
            throw invalid(key + "=" + value + " is not a TCP port (1 to 65535)");
        }
        return port;
    }

    private static int parsePositive(String key, String value)
    {
        try {
            int number = Integer.parseInt(value.strip());
            if (number > 0) {
                return number;
            }
        }
        catch (NumberFormatException ignored) {
            // reported below
        }
        throw invalid(key + "=" + value + " is not a positive whole number");
    }

    private static StagehandException invalid(String message)
    {
        return new StagehandException(StandardErrorCode.INVALID_CONFIGURATION, message);
    }

    @Override
    public String toString()
    {
        return "PostgresConfig[url=" + url + ", user=" + user + ", password=***, metadataUser=" + metadataUser + ", metadataPassword=***, containerHost=" + containerHost + ", containerPort=" + containerPort + ", poolSize=" + poolSize + ", metadataDatabase=" + metadataDatabase + ", clientBinDirectory=" + clientBinDirectory.map(Path::toString).orElse("(found)")
                + ", copyJobs=" + copyJobs + ", copyScratchDirectory=" + copyScratchDirectory.map(Path::toString).orElse("(temporary)") + "]";
    }
}
