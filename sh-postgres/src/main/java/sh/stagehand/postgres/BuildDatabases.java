package sh.stagehand.postgres;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseConnection;
import sh.stagehand.spi.database.DatabaseNames;

import java.util.Optional;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.postgres.RandomPasswords.newPassword;
import static sh.stagehand.postgres.ServerStatements.ROLE_MARKER;
import static sh.stagehand.postgres.ServerStatements.dropDatabase;
import static sh.stagehand.postgres.ServerStatements.dropLoginRole;
import static sh.stagehand.postgres.ServerStatements.exists;
import static sh.stagehand.postgres.ServerStatements.isOwnRole;
import static sh.stagehand.postgres.ServerStatements.quote;
import static sh.stagehand.postgres.ServerStatements.roleComment;

/**
 * Build databases as pairs: a database owned by a login role of the same name, which alone (and
 * the platform) may connect to it, and reaches no other database. Made empty or filled, dropped
 * with the role; no role that Stagehand did not make is ever altered or dropped. Thread-safe.
 */
final class BuildDatabases
{
    private final PostgresConfig config;
    private final ServerConnections connections;

    BuildDatabases(PostgresConfig config, ServerConnections connections)
    {
        this.config = requireNonNull(config, "config is null");
        this.connections = requireNonNull(connections, "connections is null");
    }

    /**
     * A new empty database owned by a new role of the same name (or a role of Stagehand's making
     * that a failed drop left, given a new password and none of its settings).
     *
     * @throws StagehandException {@code ALREADY_EXISTS} if the database exists, or a role of
     *         that name that Stagehand did not make
     */
    DatabaseConnection createEmpty(String name)
    {
        DatabaseNames.requireValid(name);
        String password = newPassword();
        connections.withHandle("create database " + name, handle -> {
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
                // A role a dropped database left (its drop failed): nothing it set for itself goes on.
                handle.execute("ALTER ROLE " + quote(name) + " LOGIN NOCREATEDB NOCREATEROLE PASSWORD '" + password + "'");
                handle.execute("ALTER ROLE " + quote(name) + " RESET ALL");
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
        return new DatabaseConnection(config.containerHost(), config.containerPort(), name, password);
    }

    /**
     * A new database with its own role, filled by {@code fill} (given the role's credentials);
     * dropped again if the filling fails. Empty, without extensions: the dump makes them, as the
     * new role, which then owns them.
     */
    DatabaseConnection createFilledBy(String name, Consumer<DatabaseConnection> fill)
    {
        DatabaseConnection connection = createEmpty(name);
        try {
            fill.accept(connection);
        }
        catch (RuntimeException e) {
            try {
                drop(name);
            }
            catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        return connection;
    }

    /**
     * Drops the database and its role, if Stagehand made it.
     *
     * @return whether there was anything to drop
     */
    boolean drop(String name)
    {
        return connections.withHandle("drop database " + name, handle -> {
            if (!exists(handle, name)) {
                return false;
            }
            dropDatabase(handle, name);
            return true;
        }) | dropRole(name);
    }

    /**
     * Drops the role of a database that is gone, if Stagehand made it.
     */
    boolean dropRole(String name)
    {
        return connections.withHandle("drop role " + name, handle -> {
            if (!isOwnRole(handle, name)) {
                return false;
            }
            return dropLoginRole(handle, name);
        });
    }

    /**
     * @throws StagehandException {@code NOT_FOUND} unless {@code database} exists with a role of
     *         its own: the platform works only inside the databases it made
     */
    void requireOwnRole(String database)
    {
        boolean ownRole = connections.withHandle("look up database " + database, handle -> exists(handle, database) && isOwnRole(handle, database));
        if (!ownRole) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No database " + database + " with a role of its own on " + config.url()
                    + "; the platform works only inside the databases it made");
        }
    }
}
