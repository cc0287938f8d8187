package sh.stagehand.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.Update;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.postgres.internal.PostgresClientTools;
import sh.stagehand.postgres.internal.PostgresClientTools.Login;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseConnection;
import sh.stagehand.spi.database.DatabaseNames;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.spi.database.DumpLoader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * Build databases on one PostgreSQL server, managed through a small pool of connections to its
 * maintenance database as the platform's role, which never runs SQL inside a build's database:
 * there, a tenant's view, function or trigger runs as whoever touches it, and could undo a
 * {@code SET ROLE}. Whatever the platform does inside one (a query, a dump, a copy, the statements
 * after a restore) it does through a temporary login that is a member of that database's role and
 * of nothing else, dropped when done. Thread-safe.
 */
public final class PostgresDatabaseProvider
        implements DatabaseProvider
{
    private static final Logger log = LoggerFactory.getLogger(PostgresDatabaseProvider.class);

    private static final String DUPLICATE_DATABASE = "42P04";
    private static final String OBJECT_IN_USE = "55006";
    private static final String CONNECTION_FAILURE_CLASS = "08";
    private static final String INSUFFICIENT_PRIVILEGE = "42501";
    private static final String INVALID_PASSWORD = "28P01";
    // Marks the roles Stagehand made for build databases: no other role is ever altered or dropped.
    private static final String ROLE_MARKER = "stagehand build database role";
    // Marks the platform's temporary logins into a build database; '$' is in no database name, so
    // no build's role is ever named so.
    private static final String LOGIN_MARKER = "stagehand temporary login";
    private static final String LOGIN_PREFIX = "stagehand$";
    private static final Duration LOGIN_LIFETIME = Duration.ofDays(1);
    // Odoo's schema alone, after the catalog (searched first when not named): no schema a tenant
    // names after a role ("$user") shadows a system name or Odoo's.
    private static final String SEARCH_PATH = "SET search_path TO public";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final PostgresConfig config;
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final PostgresClientTools tools;

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
        this.tools = new PostgresClientTools(config.clientBinDirectory(), config.copyJobs(), config.copyScratchDirectory(), config.url());
        dropExpiredLogins();
    }

    @Override
    public DatabaseConnection create(String name)
    {
        DatabaseConnection connection = createEmpty(name);
        // As the database's own role, so that the extensions belong to it. pg_trgm alone, as Odoo's
        // own database manager makes a database (odoo/service/db.py _create_empty_database): its
        // unaccent (--unaccent) is then made IMMUTABLE, which only the function's owner, a
        // superuser, may do; present but not immutable, Odoo warns at every install
        // (odoo/modules/registry.py check_indexes) and a build's verdict would never be green.
        try (Handle handle = Jdbi.open(config.urlFor(name), name, connection.password())) {
            for (String extension : List.of("pg_trgm")) {
                boolean available = handle.createQuery("SELECT count(*) > 0 FROM pg_catalog.pg_available_extensions WHERE name = :name")
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
        return connection;
    }

    // A database owned by a new role of the same name, which alone (and the platform) may connect to it.
    private DatabaseConnection createEmpty(String name)
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

    @Override
    public DatabaseConnection copy(String source, String target)
    {
        DatabaseNames.requireValid(source);
        DatabaseNames.requireValid(target);
        requireOwnRole(source);
        return createFilledBy(target, copy -> asTemporaryLogin(source, login -> {
            tools.copy(source, login, source, target, new Login(target, copy.password()));
            return null;
        }));
    }

    /**
     * A new database with its own role, filled by {@code fill} (given the role's credentials);
     * dropped again if the filling fails. Empty, without extensions: the dump makes them, as the
     * new role, which then owns them.
     */
    private DatabaseConnection createFilledBy(String name, Consumer<DatabaseConnection> fill)
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

    @Override
    public void dump(String name, Path target)
    {
        DatabaseNames.requireValid(name);
        requireOwnRole(name);
        try {
            asTemporaryLogin(name, login -> {
                tools.dumpPlain(name, login, name, target);
                return null;
            });
        }
        catch (RuntimeException e) {
            try {
                Files.deleteIfExists(target);
            }
            catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    @Override
    public DatabaseConnection restoreDump(String name, DumpLoader loader)
    {
        DatabaseNames.requireValid(name);
        requireNonNull(loader, "loader is null");
        return createFilledBy(name, connection -> loader.load(name, connection));
    }

    @Override
    public void replaceWithDump(String name, DumpLoader loader, String thenRun)
    {
        DatabaseNames.requireValid(name);
        requireNonNull(loader, "loader is null");
        requireNonNull(thenRun, "thenRun is null");
        // '_' keeps them apart from every build's and snapshot's name; a long name is cut and
        // marked with its hash, so that two long names never share them.
        String stem = name.length() > 50 ? name.substring(0, 41) + "_" + sha256Hex(name).substring(0, 8) : name;
        String incoming = stem + "_incoming";
        String replaced = stem + "_replaced";
        withHandle("prepare the restore of " + name, handle -> {
            finishInterruptedSwap(handle, name, incoming, replaced);
            if (!exists(handle, name) || !isOwnRole(handle, name)) {
                throw new StagehandException(StandardErrorCode.NOT_FOUND, "No database " + name + " with a role of its own on " + config.url() + " to restore into");
            }
            // What an interrupted restore left is not wanted.
            dropDatabase(handle, incoming);
            return null;
        });
        dropRole(incoming);
        // Made and filled by a role of its own, which reaches nothing of name's until it is whole.
        DatabaseConnection incomingLogin = createEmpty(incoming);
        try {
            loader.load(incoming, incomingLogin);
            if (!thenRun.isBlank()) {
                inDatabase(incoming, new Login(incoming, incomingLogin.password()), "finish the restore of " + name, handle -> handle.inTransaction(transaction -> {
                    // The driver's own statement splitting, which knows dollar quoting (DO $$ … $$).
                    try (java.sql.Statement statement = transaction.getConnection().createStatement()) {
                        statement.execute(thenRun);
                    }
                    catch (java.sql.SQLException e) {
                        throw new StagehandException(StandardErrorCode.CORRUPT_DATA, "The restored dump does not take the statements run after it (" + e.getMessage() + "); "
                                + name + " is as it was", e);
                    }
                    return null;
                }));
            }
            // Everything in it passes to name's role: the database by the platform, what is inside
            // by the incoming role itself, which may, once a member of name's.
            // The dump ran as the incoming role and could have given it a password of its own and
            // kept a session: a new password, its sessions ended, before it may act as name's role.
            String handOver = newPassword();
            withHandle("hand the restore of " + name + " to its role", handle -> {
                handle.execute("ALTER ROLE " + quote(incoming) + " PASSWORD '" + handOver + "'");
                terminateSessionsOf(handle, incoming);
                handle.execute("GRANT " + quote(name) + " TO " + quote(incoming));
                handle.execute("ALTER DATABASE " + quote(incoming) + " OWNER TO " + quote(name));
                return null;
            });
            inDatabase(incoming, new Login(incoming, handOver), "hand the restore of " + name + " to its role", handle -> {
                handle.execute("REASSIGN OWNED BY CURRENT_USER TO " + quote(name));
                handle.execute("DROP OWNED BY CURRENT_USER");
                return null;
            });
        }
        catch (RuntimeException e) {
            try {
                withHandle("drop the failed restore " + incoming, handle -> {
                    dropDatabase(handle, incoming);
                    return null;
                });
                dropRole(incoming);
            }
            catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        // Each step on its own (DROP DATABASE runs in no transaction), the old database set aside
        // first: interrupted anywhere, finishInterruptedSwap can tell how far it got.
        withHandle("put the restore of " + name + " in place", handle -> {
            terminateConnections(handle, name);
            handle.execute("ALTER DATABASE " + quote(name) + " RENAME TO " + quote(replaced));
            handle.execute("ALTER DATABASE " + quote(incoming) + " RENAME TO " + quote(name));
            dropDatabase(handle, replaced);
            return null;
        });
        dropRole(incoming);
    }

    /**
     * A database set aside as {@code replaced} was swapped out only once its replacement
     * {@code incoming} had restored whole: the swap is finished.
     */
    private void finishInterruptedSwap(Handle handle, String name, String incoming, String replaced)
    {
        if (!exists(handle, replaced)) {
            return;
        }
        if (!exists(handle, name) && exists(handle, incoming)) {
            handle.execute("ALTER DATABASE " + quote(incoming) + " RENAME TO " + quote(name));
            log.warn("Finished replacing database {}: a stopped platform had set the old one aside and not yet put the restored one in its place", name);
        }
        if (exists(handle, name)) {
            dropDatabase(handle, replaced);
        }
    }

    @Override
    public void snapshot(String name, String snapshotName)
    {
        DatabaseNames.requireValid(name);
        DatabaseNames.requireValid(snapshotName);
        withHandle("snapshot database " + name + " as " + snapshotName, handle -> {
            if (!exists(handle, name)) {
                throw new StagehandException(StandardErrorCode.NOT_FOUND, "No database " + name + " on " + config.url() + " to take a snapshot of");
            }
            if (exists(handle, snapshotName)) {
                throw new StagehandException(StandardErrorCode.ALREADY_EXISTS, "Database " + snapshotName + " exists already on " + config.url() + "; drop it first or pick another name");
            }
            // Client sessions only (the server itself stops an autovacuum worker in the way); those
            // of a server just stopped take a moment to end.
            long connected = 0;
            for (int attempt = 0; attempt < 50; attempt++) {
                connected = handle.createQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = :name AND backend_type = 'client backend'")
                        .bind("name", name)
                        .mapTo(Long.class)
                        .one();
                if (connected == 0) {
                    break;
                }
                sleep(Duration.ofMillis(100), "waiting for the sessions on " + name + " to end");
            }
            if (connected > 0) {
                throw new StagehandException(StandardErrorCode.CONFLICT, "Cannot take a snapshot of database " + name + ": " + connected
                        + " session(s) are still open on it after 5 s; stop what uses it first");
            }
            // A file-level copy (FILE_COPY: no WAL for every block, one checkpoint), the fastest the
            // server has, owned as the database is, so that a restore leaves nothing to change.
            String owner = isOwnRole(handle, name) ? " OWNER " + quote(name) : "";
            handle.execute("CREATE DATABASE " + quote(snapshotName) + owner + " TEMPLATE " + quote(name) + (serverVersion(handle) >= 150000 ? " STRATEGY FILE_COPY" : ""));
            handle.execute("REVOKE CONNECT, TEMPORARY ON DATABASE " + quote(snapshotName) + " FROM PUBLIC");
            return null;
        });
    }

    @Override
    public void restoreSnapshot(String snapshotName, String name)
    {
        DatabaseNames.requireValid(snapshotName);
        DatabaseNames.requireValid(name);
        withHandle("restore database " + name + " from snapshot " + snapshotName, handle -> {
            if (!exists(handle, snapshotName)) {
                throw new StagehandException(StandardErrorCode.NOT_FOUND, "No snapshot " + snapshotName + " on " + config.url() + " to restore " + name + " from");
            }
            // Each step on its own: DROP DATABASE cannot run in a transaction. Interrupted between
            // them, the next call finds no database and finishes with the rename.
            dropDatabase(handle, name);
            terminateConnections(handle, snapshotName);
            handle.execute("ALTER DATABASE " + quote(snapshotName) + " RENAME TO " + quote(name));
            if (isOwnRole(handle, name)) {
                handle.execute("ALTER DATABASE " + quote(name) + " OWNER TO " + quote(name));
            }
            return null;
        });
    }

    @Override
    public DatabaseConnection rename(String from, String to)
    {
        DatabaseNames.requireValid(from);
        DatabaseNames.requireValid(to);
        String password = newPassword();
        withHandle("rename database " + from + " to " + to, handle -> {
            if (!exists(handle, from)) {
                throw new StagehandException(StandardErrorCode.NOT_FOUND, "No database " + from + " on " + config.url() + " to rename");
            }
            if (exists(handle, to) || roleComment(handle, to).isPresent()) {
                throw new StagehandException(StandardErrorCode.ALREADY_EXISTS, "A database or role named " + to + " exists already on " + config.url() + "; pick another name");
            }
            if (!isOwnRole(handle, from)) {
                throw new StagehandException(StandardErrorCode.NOT_FOUND, "Database " + from + " has no role of its own made by Stagehand; only build databases are renamed");
            }
            terminateConnections(handle, from);
            // One transaction: a database never goes by a name its role does not have.
            handle.useTransaction(transaction -> {
                transaction.execute("ALTER DATABASE " + quote(from) + " RENAME TO " + quote(to));
                transaction.execute("ALTER ROLE " + quote(from) + " RENAME TO " + quote(to));
                transaction.execute("ALTER ROLE " + quote(to) + " PASSWORD '" + password + "'");
            });
            return null;
        });
        return new DatabaseConnection(config.containerHost(), config.containerPort(), to, password);
    }

    @Override
    public DatabaseConnection renewCredentials(String name)
    {
        DatabaseNames.requireValid(name);
        String password = newPassword();
        withHandle("renew the credentials of database " + name, handle -> {
            if (!exists(handle, name) || !isOwnRole(handle, name)) {
                throw new StagehandException(StandardErrorCode.NOT_FOUND, "No database " + name + " with a role of its own on " + config.url());
            }
            handle.execute("ALTER ROLE " + quote(name) + " PASSWORD '" + password + "'");
            return null;
        });
        return new DatabaseConnection(config.containerHost(), config.containerPort(), name, password);
    }

    @Override
    public List<Map<String, Object>> query(String database, String sql, List<?> parameters)
    {
        requireNonNull(sql, "sql is null");
        requireNonNull(parameters, "parameters is null");
        DatabaseNames.requireValid(database);
        requireOwnRole(database);
        return asTemporaryLogin(database, login -> inDatabase(database, login, "query database " + database, handle -> {
            Query query = handle.createQuery(sql);
            for (int index = 0; index < parameters.size(); index++) {
                query.bind(index, parameters.get(index));
            }
            List<Map<String, Object>> rows = query.mapToMap().list();
            giveBackWhatTheLoginOwns(handle, database);
            return rows;
        }));
    }

    @Override
    public int execute(String database, String sql, List<?> parameters)
    {
        requireNonNull(sql, "sql is null");
        requireNonNull(parameters, "parameters is null");
        DatabaseNames.requireValid(database);
        requireOwnRole(database);
        return asTemporaryLogin(database, login -> inDatabase(database, login, "change database " + database, handle -> {
            int changed = handle.inTransaction(transaction -> {
                Update update = transaction.createUpdate(sql);
                for (int index = 0; index < parameters.size(); index++) {
                    update.bind(index, parameters.get(index));
                }
                return update.execute();
            });
            giveBackWhatTheLoginOwns(handle, database);
            return changed;
        }));
    }

    /**
     * Runs {@code work} with a login of its own into {@code database}: a new role, member of the
     * database's role and of nothing else, whose password only this call knows, valid for a day
     * at most, dropped afterwards. Whatever tenant code the work reaches runs with the tenant's
     * privileges; even {@code RESET ROLE} leaves it no more.
     */
    private <R> R asTemporaryLogin(String database, Function<Login, R> work)
    {
        String name = LOGIN_PREFIX + randomHex(8);
        String password = newPassword();
        Instant validUntil = Instant.now().plus(LOGIN_LIFETIME).truncatedTo(ChronoUnit.SECONDS);
        withHandle("make a login into database " + database, handle -> {
            handle.execute("CREATE ROLE " + quote(name) + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION INHERIT PASSWORD '" + password + "' VALID UNTIL '" + validUntil + "'");
            handle.execute("COMMENT ON ROLE " + quote(name) + " IS '" + LOGIN_MARKER + "'");
            handle.execute("GRANT " + quote(database) + " TO " + quote(name));
            // So that the platform may drop what it might come to own (DROP OWNED needs it).
            handle.execute("GRANT " + quote(name) + " TO CURRENT_USER");
            return null;
        });
        Login login = new Login(name, password);
        try {
            return work.apply(login);
        }
        finally {
            dropTemporaryLogin(database, login);
        }
    }

    /**
     * Opens a session on a build database as {@code login}, acting as the database's role (so
     * that what it makes belongs to it), with the fixed search path.
     */
    private <R> R inDatabase(String database, Login login, String action, HandleCallback<R, RuntimeException> callback)
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
     * Makes the login log in no more, ends its sessions and drops it, from the maintenance
     * database only (tenant code may have changed its password meanwhile). One left behind (the
     * platform stopped meanwhile) expires within a day and is dropped by the next start.
     */
    private void dropTemporaryLogin(String database, Login login)
    {
        try {
            withHandle("drop a login into database " + database, handle -> dropLoginRole(handle, login.user()));
        }
        catch (RuntimeException e) {
            log.warn("Cannot drop the temporary login {} into database {}; it expires by itself within {}: {}", login.user(), database, LOGIN_LIFETIME, e.getMessage());
        }
    }

    /**
     * What tenant code run in the login's session may have given it (an object made after a
     * {@code RESET ROLE}, a privilege granted to it) goes to the database's role, or away, in that
     * session, before it ends: the login is dropped from the maintenance database afterwards.
     */
    private static void giveBackWhatTheLoginOwns(Handle handle, String database)
    {
        handle.execute("RESET ROLE");
        handle.execute("REASSIGN OWNED BY SESSION_USER TO " + quote(database));
        handle.execute("DROP OWNED BY SESSION_USER");
    }

    // The temporary logins a stopped platform left and whose time is over.
    private void dropExpiredLogins()
    {
        try {
            withHandle("drop expired temporary logins", handle -> {
                List<String> expired = handle.createQuery("""
                                SELECT rolname FROM pg_catalog.pg_roles
                                WHERE starts_with(rolname, :prefix) AND (rolvaliduntil < now() OR NOT rolcanlogin) AND shobj_description(oid, 'pg_authid') = :marker
                                """)
                        .bind("prefix", LOGIN_PREFIX)
                        .bind("marker", LOGIN_MARKER)
                        .mapTo(String.class)
                        .list();
                for (String role : expired) {
                    dropLoginRole(handle, role);
                }
                return null;
            });
        }
        catch (RuntimeException e) {
            log.warn("Cannot drop expired temporary logins: {}", e.getMessage());
        }
    }

    private void requireOwnRole(String database)
    {
        boolean ownRole = withHandle("look up database " + database, handle -> exists(handle, database) && isOwnRole(handle, database));
        if (!ownRole) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No database " + database + " with a role of its own on " + config.url()
                    + "; the platform works only inside the databases it made");
        }
    }

    /**
     * Closes the client sessions on the database, which are the platform's or its builds' roles'.
     * Not {@code DROP DATABASE … WITH (FORCE)}: that also terminates autovacuum workers (busy on
     * a freshly copied or updated database), which a role without superuser or
     * {@code pg_signal_backend} may not; a plain {@code DROP DATABASE} has the server stop them.
     */
    private static void terminateConnections(Handle handle, String name)
    {
        handle.createQuery("""
                        SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                        WHERE datname = :name AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND pg_has_role(usesysid, 'MEMBER')
                        """)
                .bind("name", name)
                .mapTo(Boolean.class)
                .list();
    }

    private static void dropDatabase(Handle handle, String name)
    {
        // A terminated session takes a moment to leave: try again for a few seconds.
        for (int attempt = 1; ; attempt++) {
            terminateConnections(handle, name);
            try {
                handle.execute("DROP DATABASE IF EXISTS " + quote(name));
                return;
            }
            catch (JdbiException e) {
                boolean inUse = e.getCause() instanceof SQLException sql && OBJECT_IN_USE.equals(sql.getSQLState());
                if (!inUse || attempt == 50) {
                    throw e;
                }
            }
            sleep(Duration.ofMillis(100), "dropping database " + name);
        }
    }

    private static void sleep(Duration duration, String what)
    {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw StagehandException.interrupted(what, e);
        }
    }

    private static int serverVersion(Handle handle)
    {
        return handle.createQuery("SELECT current_setting('server_version_num')::int").mapTo(Integer.class).one();
    }

    @Override
    public boolean drop(String name)
    {
        DatabaseNames.requireValid(name);
        return withHandle("drop database " + name, handle -> {
            if (!exists(handle, name)) {
                return false;
            }
            dropDatabase(handle, name);
            return true;
        }) | dropRole(name);
    }

    private boolean dropRole(String name)
    {
        return withHandle("drop role " + name, handle -> {
            if (!isOwnRole(handle, name)) {
                return false;
            }
            return dropLoginRole(handle, name);
        });
    }

    /**
     * Drops a role of the platform's making whose database is gone. What it may still own is in
     * the maintenance database, where every build role may log in (default privileges it gave
     * itself there): dropped first, by the platform, where no tenant code runs. A role that still
     * cannot go (its session lingering) logs in no more, and the next drop tries again.
     */
    private static boolean dropLoginRole(Handle handle, String role)
    {
        handle.execute("ALTER ROLE " + quote(role) + " NOLOGIN");
        terminateSessionsOf(handle, role);
        try {
            handle.execute("DROP OWNED BY " + quote(role));
            handle.execute("DROP ROLE IF EXISTS " + quote(role));
            return true;
        }
        catch (JdbiException e) {
            log.warn("Role {} cannot be dropped yet ({}); it logs in no more, and its next drop tries again", role, rootMessage(e));
            return false;
        }
    }

    private static void terminateSessionsOf(Handle handle, String role)
    {
        handle.createQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :role AND pid <> pg_backend_pid()")
                .bind("role", role)
                .mapTo(Boolean.class)
                .list();
    }

    private static boolean isOwnRole(Handle handle, String role)
    {
        return roleComment(handle, role).filter(ROLE_MARKER::equals).isPresent();
    }

    private static Optional<String> roleComment(Handle handle, String role)
    {
        return handle.createQuery("SELECT coalesce(shobj_description(oid, 'pg_authid'), '') FROM pg_roles WHERE rolname = :name")
                .bind("name", role)
                .mapTo(String.class)
                .findOne();
    }

    private static String sha256Hex(String text)
    {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JDK has SHA-256", e);
        }
    }

    private static String newPassword()
    {
        return randomHex(24);
    }

    private static String randomHex(int bytes)
    {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
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
