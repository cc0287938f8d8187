package sh.stagehand.postgres;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.config.ConfigKey;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.config.ConfigType;
import sh.stagehand.spi.config.ConfigValues;
import sh.stagehand.spi.database.DatabaseNames;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Configuration of the PostgreSQL provider, keys under {@code postgres.}, declared in {@link #KEYS}.
 */
public record PostgresConfig(String url, String user, String password, String containerHost, int containerPort, int poolSize, String metadataDatabase, Optional<Path> clientBinDirectory,
        int copyJobs, Optional<Path> copyScratchDirectory, String metadataUser, String metadataPassword)
{
    public static final ConfigKey<String> URL = ConfigKey.of("postgres.url", ConfigType.of("a PostgreSQL JDBC URL; expected jdbc:postgresql://HOST:PORT/DATABASE", PostgresConfig::url),
            "jdbc:postgresql://127.0.0.1:5432/postgres", "JDBC URL of a maintenance database on the server");
    /**
     * Not a superuser, and not {@code postgres}, which Odoo refuses to run as.
     */
    public static final ConfigKey<String> USER = ConfigKey.of("postgres.user", ConfigType.nonEmptyString(), "odoo", "a role with CREATEDB, which will own the build databases");
    public static final ConfigKey<String> PASSWORD = ConfigKey.optional("postgres.password", ConfigType.string(), "its password (default empty)").secret();
    public static final ConfigKey<Path> PASSWORD_FILE = ConfigKey.optional("postgres.password-file", ConfigType.path(),
            "a file holding the password (kept 0600), so that the secret is in no configuration file");
    public static final ConfigKey<String> CONTAINER_HOST = ConfigKey.optional("postgres.container-host", ConfigType.nonEmptyString(),
            "where containers reach the server (default: the URL's host)");
    public static final ConfigKey<Integer> CONTAINER_PORT = ConfigKey.optional("postgres.container-port", ConfigType.port(),
            "the port containers reach the server at (default: the URL's port)");
    public static final ConfigKey<Integer> POOL_SIZE = ConfigKey.of("postgres.pool-size", ConfigType.positiveInteger(), "4", "connections per pool");
    public static final ConfigKey<String> METADATA_DATABASE = ConfigKey.of("postgres.metadata-database",
            ConfigType.nonEmptyString().check(DatabaseNames::isValid, "a valid database name: use letters, digits, '_', '.' and '-'"), "stagehand",
            "the platform's own database, created when missing");
    /**
     * A role of its own, owning only that database, that no build's network can log in as.
     */
    public static final ConfigKey<String> METADATA_USER = ConfigKey.optional("postgres.metadata-user", ConfigType.nonEmptyString(),
            "the role the platform's own database is reached as (default: postgres.user, with its password)");
    public static final ConfigKey<String> METADATA_PASSWORD = ConfigKey.optional("postgres.metadata-password", ConfigType.string(), "its password").secret();
    public static final ConfigKey<Path> METADATA_PASSWORD_FILE = ConfigKey.optional("postgres.metadata-password-file", ConfigType.path(), "a file holding its password");
    public static final ConfigKey<Path> CLIENT_BIN_DIRECTORY = ConfigKey.optional("postgres.client-bin-directory", ConfigType.path(),
            "where pg_dump and pg_restore are, of the server's major version or newer (default: the newest /usr/lib/postgresql/N/bin, else the PATH)");
    /**
     * 1 streams {@code pg_dump} into {@code pg_restore}, no disk needed; more dumps to a scratch
     * directory in parallel, then restores in parallel, with that many jobs each (measured in bin/bench).
     */
    public static final ConfigKey<Integer> COPY_JOBS = ConfigKey.optional("postgres.copy-jobs", ConfigType.positiveInteger(),
            "the jobs a copy of a database in use (a staging copy of production) runs (default: the host's cores, at most 4)");
    public static final ConfigKey<Path> COPY_SCRATCH_DIRECTORY = ConfigKey.optional("postgres.copy-scratch-directory", ConfigType.path(),
            "where a parallel copy's dump is kept while it is restored; needs room for the database, uncompressed (default: the system's temporary directory)");

    public static final ConfigKeys KEYS = ConfigKeys.of("the PostgreSQL provider", URL, USER, PASSWORD, PASSWORD_FILE, CONTAINER_HOST, CONTAINER_PORT, POOL_SIZE, METADATA_DATABASE,
            METADATA_USER, METADATA_PASSWORD, METADATA_PASSWORD_FILE, CLIENT_BIN_DIRECTORY, COPY_JOBS, COPY_SCRATCH_DIRECTORY);

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
        ConfigValues values = KEYS.read(config);
        String url = values.get(URL);
        URI uri = URI.create(url.substring("jdbc:".length()));
        String user = values.get(USER);
        String password = secret(values, PASSWORD, PASSWORD_FILE).orElse("");
        return new PostgresConfig(
                url,
                user,
                password,
                values.optional(CONTAINER_HOST).orElse(uri.getHost()),
                values.optional(CONTAINER_PORT).orElse(uri.getPort() == -1 ? 5432 : uri.getPort()),
                values.get(POOL_SIZE),
                values.get(METADATA_DATABASE),
                values.optional(CLIENT_BIN_DIRECTORY),
                values.optional(COPY_JOBS).orElse(Math.min(4, Runtime.getRuntime().availableProcessors())),
                values.optional(COPY_SCRATCH_DIRECTORY),
                values.optional(METADATA_USER).orElse(user),
                secret(values, METADATA_PASSWORD, METADATA_PASSWORD_FILE).orElse(values.isSet(METADATA_USER) ? "" : password));
    }

    private static String url(String value)
    {
        if (!value.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException();
        }
        URI uri;
        try {
            uri = new URI(value.substring("jdbc:".length()));
        }
        catch (URISyntaxException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("it names no host");
        }
        return value;
    }

    // A secret given as it is, or as a file holding it (its first line), never both.
    private static Optional<String> secret(ConfigValues values, ConfigKey<String> key, ConfigKey<Path> fileKey)
    {
        if (values.isSet(key) && values.isSet(fileKey)) {
            throw invalid("Both " + key + " and " + fileKey + " are set; keep one (the file keeps the secret out of the configuration)");
        }
        Optional<Path> file = values.optional(fileKey);
        if (file.isEmpty()) {
            // Set, even empty, it is the secret.
            return values.isSet(key) ? Optional.of(values.optional(key).orElse("")) : Optional.empty();
        }
        try {
            return Optional.of(java.nio.file.Files.readAllLines(file.get()).stream().findFirst().orElse("").strip());
        }
        catch (java.io.IOException e) {
            throw invalid("Cannot read " + fileKey + "=" + file.get() + " (" + e.getMessage() + "); point it at a readable file holding the password");
        }
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
