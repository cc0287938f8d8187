package sh.stagehand.store.postgres.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import sh.stagehand.postgres.PostgresConfig;
import sh.stagehand.store.postgres.SecretBox;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.sql.SQLException;
import java.util.function.Supplier;

/**
 * The platform's own database: created when missing, migrated with Flyway, pooled with HikariCP.
 * Thread-safe.
 */
public final class MetadataDatabase
        implements AutoCloseable
{
    private static final String MIGRATIONS = "classpath:sh/stagehand/store/postgres/migration";

    private final HikariDataSource dataSource;
    private final MetadataStatements statements;

    /**
     * @param secrets seals what earlier versions kept in the clear ({@link SealSecretsMigration})
     */
    public MetadataDatabase(PostgresConfig config, String poolName, SecretBox secrets)
    {
        createIfMissing(config);
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName(poolName);
        hikari.setJdbcUrl(config.urlFor(config.metadataDatabase()));
        hikari.setUsername(config.metadataUser());
        hikari.setPassword(config.metadataPassword());
        hikari.setMaximumPoolSize(config.poolSize());
        hikari.setMinimumIdle(0);
        hikari.setConnectionTimeout(10_000);
        try {
            dataSource = new HikariDataSource(hikari);
        }
        catch (HikariPool.PoolInitializationException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE, "Cannot connect to the metadata database " + config.metadataDatabase() + " at " + config.url()
                    + " as " + config.metadataUser() + ": " + e.getMessage() + "; check " + PostgresConfig.URL + ", " + PostgresConfig.METADATA_USER + " and its password", e);
        }
        try {
            Flyway.configure()
                    .dataSource(dataSource)
                    .locations(MIGRATIONS)
                    .javaMigrations(new SealSecretsMigration(secrets))
                    .load()
                    .migrate();
        }
        catch (FlywayException e) {
            dataSource.close();
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot migrate the metadata database " + config.metadataDatabase() + ": " + e.getMessage()
                    + ". The database is left as it was; fix the cause (see the message) and start again", e);
        }
        statements = new MetadataStatements(Jdbi.create(dataSource));
    }

    /**
     * @return the statements on this database, which share its pool
     */
    public MetadataStatements statements()
    {
        return statements;
    }

    /**
     * Runs one operation on the metadata database, saying what was asked when it fails: a lost
     * connection is {@code PROVIDER_UNAVAILABLE} (retrying may help), anything else {@code PROVIDER_ERROR}.
     */
    public static <T> T run(String action, Supplier<T> operation)
    {
        try {
            return operation.get();
        }
        catch (JdbiException e) {
            boolean connectionLost = e.getCause() instanceof SQLException sql && String.valueOf(sql.getSQLState()).startsWith("08");
            throw new StagehandException(connectionLost ? StandardErrorCode.PROVIDER_UNAVAILABLE : StandardErrorCode.PROVIDER_ERROR,
                    "Cannot " + action + " in the metadata database: " + e.getMessage(), e);
        }
    }

    /**
     * @return whether a statement failed on a unique constraint (SQLSTATE 23505)
     */
    public static boolean isUniqueViolation(JdbiException e)
    {
        return e.getCause() instanceof SQLException sql && "23505".equals(sql.getSQLState());
    }

    @Override
    public void close()
    {
        dataSource.close();
    }

    // Made by its role when missing (which then needs CREATEDB); an operator may make it instead,
    // owned by that role, and give the role nothing more.
    private static void createIfMissing(PostgresConfig config)
    {
        try (Handle existing = Jdbi.open(config.urlFor(config.metadataDatabase()), config.metadataUser(), config.metadataPassword())) {
            return;
        }
        catch (JdbiException e) {
            boolean missing = e.getCause() instanceof SQLException sql && "3D000".equals(sql.getSQLState());
            if (!missing) {
                throw new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE, "Cannot connect to the metadata database " + config.metadataDatabase() + " at " + config.url()
                        + " as " + config.metadataUser() + ": " + e.getMessage() + "; check " + PostgresConfig.METADATA_USER + " and its password", e);
            }
        }
        try (Handle handle = Jdbi.open(config.url(), config.metadataUser(), config.metadataPassword())) {
            // The name was validated by PostgresConfig.
            handle.execute("CREATE DATABASE \"" + config.metadataDatabase() + "\" ENCODING 'UTF8' TEMPLATE template0");
            // It holds tokens, webhook secrets and every build's SMTP password: no build's role may connect.
            handle.execute("REVOKE CONNECT, TEMPORARY ON DATABASE \"" + config.metadataDatabase() + "\" FROM PUBLIC");
        }
        catch (JdbiException e) {
            String state = e.getCause() instanceof SQLException sql ? String.valueOf(sql.getSQLState()) : "";
            if ("42P04".equals(state)) {
                return; // created concurrently by another pool
            }
            throw new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE, "Cannot create the metadata database " + config.metadataDatabase() + " at " + config.url()
                    + ": " + e.getMessage() + "; the role " + config.metadataUser() + " needs CREATEDB, or create the database yourself, owned by it", e);
        }
    }
}
