package sh.stagehand.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import sh.stagehand.postgres.internal.PostgresClientTools.Login;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.sql.SQLException;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.postgres.ServerStatements.quote;

/**
 * How a {@link PostgresDatabaseProvider} reaches its server: a small pool of connections to the
 * maintenance database as the platform's role, where no tenant code runs, and single sessions
 * inside a build database as a login of its own. A failure becomes a {@link StagehandException}
 * that says what to fix. Thread-safe.
 */
final class ServerConnections
        implements AutoCloseable
{
    private static final String DUPLICATE_DATABASE = "42P04";
    private static final String CONNECTION_FAILURE_CLASS = "08";
    private static final String INSUFFICIENT_PRIVILEGE = "42501";
    private static final String INVALID_PASSWORD = "28P01";
    // Odoo's schema alone, after the catalog (searched first when not named): no schema a tenant
    // names after a role ("$user") shadows a system name or Odoo's.
    private static final String SEARCH_PATH = "SET search_path TO public";

    private final PostgresConfig config;
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;

    /**
     * @throws StagehandException {@code PROVIDER_UNAVAILABLE} if the server cannot be reached
     */
    ServerConnections(PostgresConfig config)
    {
        this.config = requireNonNull(config, "config is null");
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("stagehand-postgres");
        hikari.setJdbcUrl(config.url());
        hikari.setUsername(config.user());
        hikari.setPassword(config.password());
        hikari.setMaximumPoolSize(config.poolSize());
        hikari.setMinimumIdle(0);
        hikari.setConnectionTimeout(10_000);
        hikari.setAutoCommit(true);
        // Where a build role may log in too (Odoo looks there): nothing it could make in a schema
        // is ever looked up, an operator (=) neither.
        hikari.setConnectionInitSql("SET search_path TO pg_catalog");
        try {
            this.dataSource = new HikariDataSource(hikari);
        }
        catch (HikariPool.PoolInitializationException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE,
                    "Cannot connect to PostgreSQL at " + config.url() + " as " + config.user() + ": " + rootMessage(e)
                            + ". Check that the server runs and " + PostgresConfig.URL + ", " + PostgresConfig.USER + " and " + PostgresConfig.PASSWORD + " are right", e);
        }
        this.jdbi = Jdbi.create(dataSource);
    }

    /**
     * Runs {@code callback} on a pooled connection to the maintenance database.
     *
     * @param action what is done, as in "Cannot ... on the server"
     */
    <R> R withHandle(String action, HandleCallback<R, RuntimeException> callback)
    {
        try {
            return jdbi.withHandle(callback);
        }
        catch (JdbiException e) {
            throw translate(action, e);
        }
    }

    /**
     * Opens a session on a build database as {@code login}, acting as the database's role (so
     * that what it makes belongs to it), with the fixed search path.
     */
    <R> R inDatabase(String database, Login login, String action, HandleCallback<R, RuntimeException> callback)
    {
        try (Handle handle = Jdbi.open(config.urlFor(database), login.user(), login.password())) {
            if (!login.user().equals(database)) {
                handle.execute("SET ROLE " + quote(database));
            }
            handle.execute(SEARCH_PATH);
            return callback.withHandle(handle);
        }
        catch (JdbiException e) {
            throw translate(action, e);
        }
    }

    /**
     * What a failed statement tells: by its SQL state, which configuration or name to change.
     */
    StagehandException translate(String action, JdbiException e)
    {
        String state = e.getCause() instanceof SQLException sql && sql.getSQLState() != null ? sql.getSQLState() : "";
        String message = "Cannot " + action + " on " + config.url() + ": " + rootMessage(e);
        if (state.equals(DUPLICATE_DATABASE)) {
            return new StagehandException(StandardErrorCode.ALREADY_EXISTS, message + "; drop it first or pick another name", e);
        }
        if (state.startsWith(CONNECTION_FAILURE_CLASS) || state.equals(INVALID_PASSWORD)) {
            return new StagehandException(StandardErrorCode.PROVIDER_UNAVAILABLE, message + "; check that the server runs and accepts " + config.user(), e);
        }
        if (state.equals(INSUFFICIENT_PRIVILEGE)) {
            return new StagehandException(StandardErrorCode.PERMISSION_DENIED, message + "; grant the role " + config.user() + " the privilege named above (build databases need CREATEDB and CREATEROLE)", e);
        }
        return new StagehandException(StandardErrorCode.PROVIDER_ERROR, message, e);
    }

    static String rootMessage(Throwable throwable)
    {
        Throwable root = throwable;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }

    @Override
    public void close()
    {
        dataSource.close();
    }
}
