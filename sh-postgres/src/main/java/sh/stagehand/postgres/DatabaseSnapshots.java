package sh.stagehand.postgres;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.time.Duration;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.postgres.ServerStatements.dropDatabase;
import static sh.stagehand.postgres.ServerStatements.exists;
import static sh.stagehand.postgres.ServerStatements.isOwnRole;
import static sh.stagehand.postgres.ServerStatements.quote;
import static sh.stagehand.postgres.ServerStatements.serverVersion;
import static sh.stagehand.postgres.ServerStatements.sleep;
import static sh.stagehand.postgres.ServerStatements.terminateConnections;

/**
 * Snapshots of a database: a file-level copy on the same server, taken while no session is open
 * on it, and put back in its place by a rename. Thread-safe.
 */
final class DatabaseSnapshots
{
    private final PostgresConfig config;
    private final ServerConnections connections;

    DatabaseSnapshots(PostgresConfig config, ServerConnections connections)
    {
        this.config = requireNonNull(config, "config is null");
        this.connections = requireNonNull(connections, "connections is null");
    }

    /**
     * Takes a snapshot of {@code name}, both names valid.
     */
    void snapshot(String name, String snapshotName)
    {
        connections.withHandle("snapshot database " + name + " as " + snapshotName, handle -> {
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

    /**
     * Puts the snapshot in the place of {@code name}, both names valid.
     */
    void restoreSnapshot(String snapshotName, String name)
    {
        connections.withHandle("restore database " + name + " from snapshot " + snapshotName, handle -> {
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
}
