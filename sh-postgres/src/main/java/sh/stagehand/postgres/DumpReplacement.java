package sh.stagehand.postgres;

import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sh.stagehand.postgres.internal.PostgresClientTools.Login;
import sh.stagehand.spi.Sha256;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.database.DatabaseConnection;
import sh.stagehand.spi.database.DumpLoader;

import java.sql.SQLException;
import java.sql.Statement;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.postgres.RandomPasswords.newPassword;
import static sh.stagehand.postgres.ServerStatements.dropDatabase;
import static sh.stagehand.postgres.ServerStatements.exists;
import static sh.stagehand.postgres.ServerStatements.isOwnRole;
import static sh.stagehand.postgres.ServerStatements.quote;
import static sh.stagehand.postgres.ServerStatements.terminateConnections;
import static sh.stagehand.postgres.ServerStatements.terminateSessionsOf;

/**
 * Replaces a build database by a dump, whole or not at all: the dump is loaded into a database of
 * its own ({@code <name>_incoming}) by a role of its own, which reaches nothing of the database's
 * until it is whole; then it is handed to the database's role and swapped in by renames. A swap a
 * stopped platform interrupted is finished by the next replacement. Thread-safe.
 */
final class DumpReplacement
{
    private static final Logger log = LoggerFactory.getLogger(DumpReplacement.class);

    private final PostgresConfig config;
    private final ServerConnections connections;
    private final BuildDatabases databases;

    DumpReplacement(PostgresConfig config, ServerConnections connections, BuildDatabases databases)
    {
        this.config = requireNonNull(config, "config is null");
        this.connections = requireNonNull(connections, "connections is null");
        this.databases = requireNonNull(databases, "databases is null");
    }

    /**
     * @param thenRun statements run in the loaded database, as its role, before it is swapped in
     */
    void replaceWithDump(String name, DumpLoader loader, String thenRun)
    {
        // '_' keeps them apart from every build's and snapshot's name; a long name is cut and
        // marked with its hash, so that two long names never share them.
        String stem = name.length() > 50 ? name.substring(0, 41) + "_" + Sha256.hex(name).substring(0, 8) : name;
        String incoming = stem + "_incoming";
        String replaced = stem + "_replaced";
        connections.withHandle("prepare the restore of " + name, handle -> {
            finishInterruptedSwap(handle, name, incoming, replaced);
            if (!exists(handle, name) || !isOwnRole(handle, name)) {
                throw new StagehandException(StandardErrorCode.NOT_FOUND, "No database " + name + " with a role of its own on " + config.url() + " to restore into");
            }
            // What an interrupted restore left is not wanted.
            dropDatabase(handle, incoming);
            return null;
        });
        databases.dropRole(incoming);
        // Made and filled by a role of its own, which reaches nothing of name's until it is whole.
        DatabaseConnection incomingLogin = databases.createEmpty(incoming);
        try {
            loader.load(incoming, incomingLogin);
            if (!thenRun.isBlank()) {
                connections.inDatabase(incoming, new Login(incoming, incomingLogin.password()), "finish the restore of " + name, handle -> handle.inTransaction(transaction -> {
                    // The driver's own statement splitting, which knows dollar quoting (DO $$ … $$).
                    try (Statement statement = transaction.getConnection().createStatement()) {
                        statement.execute(thenRun);
                    }
                    catch (SQLException e) {
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
            connections.withHandle("hand the restore of " + name + " to its role", handle -> {
                handle.execute("ALTER ROLE " + quote(incoming) + " PASSWORD '" + handOver + "'");
                terminateSessionsOf(handle, incoming);
                handle.execute("GRANT " + quote(name) + " TO " + quote(incoming));
                handle.execute("ALTER DATABASE " + quote(incoming) + " OWNER TO " + quote(name));
                return null;
            });
            connections.inDatabase(incoming, new Login(incoming, handOver), "hand the restore of " + name + " to its role", handle -> {
                handle.execute("REASSIGN OWNED BY CURRENT_USER TO " + quote(name));
                handle.execute("DROP OWNED BY CURRENT_USER");
                return null;
            });
        }
        catch (RuntimeException e) {
            try {
                connections.withHandle("drop the failed restore " + incoming, handle -> {
                    dropDatabase(handle, incoming);
                    return null;
                });
                databases.dropRole(incoming);
            }
            catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        // Each step on its own (DROP DATABASE runs in no transaction), the old database set aside
        // first: interrupted anywhere, finishInterruptedSwap can tell how far it got.
        connections.withHandle("put the restore of " + name + " in place", handle -> {
            terminateConnections(handle, name);
            handle.execute("ALTER DATABASE " + quote(name) + " RENAME TO " + quote(replaced));
            handle.execute("ALTER DATABASE " + quote(incoming) + " RENAME TO " + quote(name));
            dropDatabase(handle, replaced);
            return null;
        });
        databases.dropRole(incoming);
    }

    /**
     * A database set aside as {@code replaced} was swapped out only once its replacement
     * {@code incoming} had restored whole: the swap is finished.
     */
    private static void finishInterruptedSwap(Handle handle, String name, String incoming, String replaced)
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
}
