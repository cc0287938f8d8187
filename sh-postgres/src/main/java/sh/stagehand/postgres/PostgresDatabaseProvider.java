package sh.stagehand.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseConnection;
import sh.stagehand.spi.database.DatabaseNames;
import sh.stagehand.spi.database.DatabaseProvider;

import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Build databases on one PostgreSQL server, managed through a small pool of connections to its
 * maintenance database. Thread-safe.
 */
public final class PostgresDatabaseProvider
        implements DatabaseProvider
{
    private static final Logger log = LoggerFactory.getLogger(PostgresDatabaseProvider.class);

    private static final String DUPLICATE_DATABASE = "42P04";
    private static final String CONNECTION_FAILURE_CLASS = "08";
    private static final String INSUFFICIENT_PRIVILEGE = "42501";
    private static final String INVALID_PASSWORD = "28P01";
    // Marks the roles Stagehand made for build databases: no other role is ever altered or dropped.
    private static final String ROLE_MARKER = "stagehand build database role";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final PostgresConfig config;
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;

    public PostgresDatabaseProvider(PostgresConfig config)
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

    @Override
    public DatabaseConnection create(String name)
    {
        DatabaseNames.requireValid(name);
        String password = newPassword();
        withHandle("create database " + name, handle -> {
            if (exists(handle, name)) {
                throw new StagehandException(StandardErrorCode.ALREADY_EXISTS, "Database " + name + " exists already on " + config.url() + "; drop it first or pick another name");
            }
            Optional<String> roleComment = roleComment(handle, name);
            if (roleComment.isPresent() && !roleComment.get().equals(ROLE_MARKER)) {
                throw new StagehandException(StandardErrorCode.ALREADY_EXISTS, "A role named " + name + " exists on " + config.url()
                        + " and was not made by Stagehand for a build database; pick another database name");
            }
            // The password is hexadecimal: safe to write inline, where DDL takes no parameters.
            if (roleComment.isPresent()) {
                handle.execute("ALTER ROLE " + quote(name) + " PASSWORD '" + password + "'");
            }
            else {
                handle.execute("CREATE ROLE " + quote(name) + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD '" + password + "'");
                handle.execute("COMMENT ON ROLE " + quote(name) + " IS '" + ROLE_MARKER + "'");
            }
            // Membership lets the platform create the database for that owner and manage it later.
            handle.execute("GRANT " + quote(name) + " TO CURRENT_USER");
            // Odoo creates its databases the same way (odoo.service.db._create_empty_database).
            handle.execute("CREATE DATABASE " + quote(name) + " OWNER " + quote(name) + " ENCODING 'UTF8' LC_COLLATE 'C' TEMPLATE template0");
            // By default every role may connect to every database: not to this one.
            handle.execute("REVOKE CONNECT, TEMPORARY ON DATABASE " + quote(name) + " FROM PUBLIC");
            return null;
        });
        try (Handle handle = Jdbi.open(config.urlFor(name), config.user(), config.password())) {
            // Created as the database's own role, so that the extensions belong to it.
            handle.execute("SET ROLE " + quote(name));
            for (String extension : List.of("pg_trgm", "unaccent")) {
                boolean available = handle.createQuery("SELECT count(*) > 0 FROM pg_available_extensions WHERE name = :name")
                        .bind("name", extension)
                        .mapTo(Boolean.class)
                        .one();
                if (available) {
                    handle.execute("CREATE EXTENSION IF NOT EXISTS " + extension);
                }
                else {
                    log.warn("PostgreSQL extension {} is not installed on the server; database {} is created without it", extension, name);
                }
            }
        }
        catch (JdbiException e) {
            drop(name);
            throw translate("create the extensions of database " + name, e);
        }
        return new DatabaseConnection(config.containerHost(), config.containerPort(), name, password);
    }

    @Override
    public boolean drop(String name)
    {
        DatabaseNames.requireValid(name);
        return withHandle("drop database " + name, handle -> {
            if (!exists(handle, name)) {
                return false;
            }
            handle.execute("DROP DATABASE IF EXISTS " + quote(name) + " WITH (FORCE)");
            return true;
        }) | dropRole(name);
    }

    private boolean dropRole(String name)
    {
        return withHandle("drop role " + name, handle -> {
            if (!roleComment(handle, name).filter(ROLE_MARKER::equals).isPresent()) {
                return false;
            }
            handle.execute("DROP ROLE IF EXISTS " + quote(name));
            return true;
        });
    }

    private static Optional<String> roleComment(Handle handle, String role)
    {
        return handle.createQuery("SELECT coalesce(shobj_description(oid, 'pg_authid'), '') FROM pg_roles WHERE rolname = :name")
                .bind("name", role)
                .mapTo(String.class)
                .findOne();
    }

    private static String newPassword()
    {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public boolean exists(String name)
    {
        DatabaseNames.requireValid(name);
        return withHandle("look up database " + name, handle -> exists(handle, name));
    }

    @Override
    public List<String> list(String prefix)
    {
        DatabaseNames.requireValidPrefix(prefix);
        return withHandle("list databases", handle -> handle.createQuery("""
                        SELECT datname FROM pg_database
                        WHERE NOT datistemplate AND datname <> 'postgres' AND starts_with(datname, :prefix)
                        ORDER BY datname COLLATE "C"
                        """)
                .bind("prefix", prefix)
                .mapTo(String.class)
                .list());
    }

    @Override
    public long sizeBytes(String name)
    {
        DatabaseNames.requireValid(name);
        return withHandle("measure database " + name, handle -> {
            if (!exists(handle, name)) {
                throw new StagehandException(StandardErrorCode.NOT_FOUND, "No database " + name + " on " + config.url());
            }
            return handle.createQuery("SELECT pg_database_size(:name)").bind("name", name).mapTo(Long.class).one();
        });
    }

    @Override
    public DatabaseConnection connectionInfo()
    {
        return new DatabaseConnection(config.containerHost(), config.containerPort(), config.user(), config.password());
    }

    @Override
    public void close()
    {
        dataSource.close();
    }

    @Override
    public String toString()
    {
        return "PostgresDatabaseProvider[" + config.url() + "]";
    }

    private static boolean exists(Handle handle, String name)
    {
        return handle.createQuery("SELECT count(*) > 0 FROM pg_database WHERE datname = :name")
                .bind("name", name)
                .mapTo(Boolean.class)
                .one();
    }

    private <R> R withHandle(String action, HandleCallback<R, RuntimeException> callback)
    {
        try {
            return jdbi.withHandle(callback);
        }
        catch (JdbiException e) {
            throw translate(action, e);
        }
    }

    private StagehandException translate(String action, JdbiException e)
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

    private static String quote(String name)
    {
        // Names are validated first; quoting keeps case and '-', '.' as Odoo's names may hold them.
        return "\"" + name + "\"";
    }

    private static String rootMessage(Throwable throwable)
    {
        Throwable root = throwable;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }
}
