package sh.stagehand.postgres;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.Update;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.postgres.internal.PostgresClientTools;
import sh.stagehand.postgres.internal.PostgresClientTools.Login;
import sh.stagehand.spi.ProviderFactory;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseConnection;
import sh.stagehand.spi.database.DatabaseNames;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.spi.database.DumpLoader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.postgres.RandomPasswords.newPassword;
import static sh.stagehand.postgres.ServerStatements.isOwnRole;
import static sh.stagehand.postgres.ServerStatements.quote;
import static sh.stagehand.postgres.ServerStatements.roleComment;
import static sh.stagehand.postgres.ServerStatements.terminateConnections;
import static sh.stagehand.postgres.TemporaryLogins.giveBackWhatTheLoginOwns;

/**
 * Build databases on one PostgreSQL server, managed through a small pool of connections to its
 * maintenance database as the platform's role, which never runs SQL inside a build's database:
 * there, a tenant's view, function or trigger runs as whoever touches it, and could undo a
 * {@code SET ROLE}. Whatever the platform does inside one (a query, a dump, a copy, the statements
 * after a restore) it does through a temporary login that is a member of that database's role and
 * of nothing else, dropped when done. Thread-safe.
 *
 * <p>Its parts: {@code ServerConnections} reaches the server, {@code ServerStatements} holds the
 * statements they share, {@code BuildDatabases} makes and drops each database with its role,
 * {@code TemporaryLogins} logs into one, {@code DumpReplacement} swaps a dump in,
 * {@code DatabaseSnapshots} takes and restores snapshots, {@code DatabaseReaders} keeps each
 * database's read-only login for people's shells, and {@link PostgresClientTools} runs
 * PostgreSQL's client programs for dumps and copies.
 */
public final class PostgresDatabaseProvider
        implements DatabaseProvider
{
    // How long a query in a tenant's database may run, and wait for a lock.
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration QUERY_LOCK_TIMEOUT = Duration.ofSeconds(10);

    /** {@code database.type=postgres}; see {@link PostgresConfig} for its keys. */
    public static final ProviderFactory<DatabaseProvider> FACTORY = ProviderFactory.of(DatabaseProvider.class, "postgres", PostgresConfig.KEYS,
            (config, context) -> new PostgresDatabaseProvider(PostgresConfig.fromMap(config)));

    private static final Logger log = LoggerFactory.getLogger(PostgresDatabaseProvider.class);

    private final PostgresConfig config;
    private final ServerConnections connections;
    private final PostgresClientTools tools;
    private final BuildDatabases databases;
    private final TemporaryLogins logins;
    private final DumpReplacement replacement;
    private final DatabaseSnapshots snapshots;
    private final DatabaseReaders readers;

    public PostgresDatabaseProvider(PostgresConfig config)
    {
        this.config = requireNonNull(config, "config is null");
        this.connections = new ServerConnections(config);
        this.tools = new PostgresClientTools(config.clientBinDirectory(), config.copyJobs(), config.copyScratchDirectory(), config.url());
        this.databases = new BuildDatabases(config, connections);
        this.logins = new TemporaryLogins(connections);
        this.replacement = new DumpReplacement(config, connections, databases);
        this.snapshots = new DatabaseSnapshots(config, connections);
        this.readers = new DatabaseReaders(config, connections, databases);
        logins.dropExpiredLogins();
    }

    @Override
    public DatabaseConnection create(String name)
    {
        DatabaseConnection connection = databases.createEmpty(name);
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
            throw connections.translate("create the extensions of database " + name, e);
        }
        return connection;
    }

    @Override
    public DatabaseConnection copy(String source, String target)
    {
        DatabaseNames.requireValid(source);
        DatabaseNames.requireValid(target);
        databases.requireOwnRole(source);
        return databases.createFilledBy(target, copy -> logins.asTemporaryLogin(source, login -> {
            tools.copy(source, login, source, target, new Login(target, copy.password()));
            return null;
        }));
    }

    @Override
    public void dump(String name, Path target)
    {
        DatabaseNames.requireValid(name);
        databases.requireOwnRole(name);
        try {
            logins.asTemporaryLogin(name, login -> {
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
        return databases.createFilledBy(name, connection -> loader.load(name, connection));
    }

    @Override
    public void replaceWithDump(String name, DumpLoader loader, String thenRun)
    {
        DatabaseNames.requireValid(name);
        requireNonNull(loader, "loader is null");
        requireNonNull(thenRun, "thenRun is null");
        replacement.replaceWithDump(name, loader, thenRun);
    }

    @Override
    public void snapshot(String name, String snapshotName)
    {
        DatabaseNames.requireValid(name);
        DatabaseNames.requireValid(snapshotName);
        snapshots.snapshot(name, snapshotName);
    }

    @Override
    public void restoreSnapshot(String snapshotName, String name)
    {
        DatabaseNames.requireValid(snapshotName);
        DatabaseNames.requireValid(name);
        snapshots.restoreSnapshot(snapshotName, name);
    }

    @Override
    public DatabaseConnection rename(String from, String to)
    {
        DatabaseNames.requireValid(from);
        DatabaseNames.requireValid(to);
        String password = newPassword();
        connections.withHandle("rename database " + from + " to " + to, handle -> {
            if (!ServerStatements.exists(handle, from)) {
                throw new StagehandException(StandardErrorCode.NOT_FOUND, "No database " + from + " on " + config.url() + " to rename");
            }
            if (ServerStatements.exists(handle, to) || roleComment(handle, to).isPresent()) {
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
        // The reader of the old name goes: one for the new name is made when a shell asks.
        readers.drop(from);
        return new DatabaseConnection(config.containerHost(), config.containerPort(), to, password);
    }

    @Override
    public DatabaseConnection renewCredentials(String name)
    {
        DatabaseNames.requireValid(name);
        String password = newPassword();
        connections.withHandle("renew the credentials of database " + name, handle -> {
            if (!ServerStatements.exists(handle, name) || !isOwnRole(handle, name)) {
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
        databases.requireOwnRole(database);
        return logins.asTemporaryLogin(database, login -> connections.inDatabase(database, login, "query database " + database, handle -> {
            // The tenant's database: a table its server keeps locked, or a view of its that never
            // ends, holds no thread of the platform's for long.
            List<Map<String, Object>> rows = handle.inTransaction(transaction -> {
                transaction.execute("SET LOCAL statement_timeout = '" + QUERY_TIMEOUT.toMillis() + "ms'");
                transaction.execute("SET LOCAL lock_timeout = '" + QUERY_LOCK_TIMEOUT.toMillis() + "ms'");
                Query query = transaction.createQuery(sql);
                for (int index = 0; index < parameters.size(); index++) {
                    query.bind(index, parameters.get(index));
                }
                return query.mapToMap().list();
            });
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
        databases.requireOwnRole(database);
        return logins.asTemporaryLogin(database, login -> connections.inDatabase(database, login, "change database " + database, handle -> {
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

    @Override
    public boolean drop(String name)
    {
        DatabaseNames.requireValid(name);
        boolean dropped = databases.drop(name);
        readers.drop(name);
        return dropped;
    }

    @Override
    public DatabaseConnection reader(String name)
    {
        DatabaseNames.requireValid(name);
        return readers.reader(name);
    }

    @Override
    public void allowReaderWrites(String name)
    {
        DatabaseNames.requireValid(name);
        readers.allowWrites(name);
    }

    @Override
    public void revokeReaderWrites(String name)
    {
        DatabaseNames.requireValid(name);
        readers.revokeWrites(name);
    }

    @Override
    public boolean exists(String name)
    {
        DatabaseNames.requireValid(name);
        return connections.withHandle("look up database " + name, handle -> ServerStatements.exists(handle, name));
    }

    @Override
    public long size(String name)
    {
        DatabaseNames.requireValid(name);
        // pg_database_size reads the database's files from the maintenance database: nothing of the tenant's runs.
        return connections.withHandle("read the size of database " + name, handle -> handle.createQuery("SELECT pg_database_size(oid) FROM pg_database WHERE datname = :name")
                        .bind("name", name)
                        .mapTo(Long.class)
                        .findOne())
                .orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "No database " + name));
    }

    @Override
    public List<String> list(String prefix)
    {
        DatabaseNames.requireValidPrefix(prefix);
        return connections.withHandle("list databases", handle -> handle.createQuery("""
                        SELECT datname FROM pg_database
                        WHERE NOT datistemplate AND datname <> 'postgres' AND starts_with(datname, :prefix)
                        ORDER BY datname COLLATE "C"
                        """)
                .bind("prefix", prefix)
                .mapTo(String.class)
                .list());
    }

    @Override
    public void close()
    {
        connections.close();
    }

    @Override
    public String toString()
    {
        return "PostgresDatabaseProvider[" + config.url() + "]";
    }
}
