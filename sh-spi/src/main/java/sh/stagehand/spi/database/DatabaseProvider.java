package sh.stagehand.spi.database;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Manages the databases Odoo servers use, on one database server.
 *
 * <p>Every name is checked with {@link DatabaseNames#requireValid(String)} before it reaches the
 * server, so no method can be used for injection. Implementations are thread-safe and throw
 * {@link StagehandException} with {@link sh.stagehand.spi.StandardErrorCode#PROVIDER_UNAVAILABLE}
 * when the server cannot be reached.
 */
public interface DatabaseProvider
        extends AutoCloseable
{
    /**
     * Creates an empty database, encoding UTF8 from {@code template0}, with the extensions Odoo
     * expects ({@code pg_trgm}, as Odoo's own database manager) where the server offers them, owned by a login
     * role of its own that can reach no other database of the platform: the code a build runs
     * holds only its own database's credentials.
     *
     * @return how a container reaches the database as its own role
     * @throws StagehandException {@code INVALID_ARGUMENT} for a bad name; {@code ALREADY_EXISTS}
     */
    DatabaseConnection create(String name);

    /**
     * Drops the database and its role, closing the connections still open to it. Idempotent.
     *
     * @return whether a database was dropped
     * @throws StagehandException {@code INVALID_ARGUMENT} for a bad name
     */
    boolean drop(String name);

    /**
     * @throws StagehandException {@code INVALID_ARGUMENT} for a bad name
     */
    boolean exists(String name);

    /**
     * @param prefix a prefix of valid name characters, possibly empty
     * @return the names of the databases starting with {@code prefix}, sorted; never the server's
     *         own ({@code postgres}, templates)
     */
    List<String> list(String prefix);

    /**
     * Copies a database that stays in use, as a staging build copies a serving production: the copy
     * is consistent as of one moment, taken without stopping or blocking the source's users, read as
     * the source's own role, and it and everything in it belong to a role of its own, as
     * {@link #create}'s do.
     *
     * @return how a container reaches the copy as its own role
     * @throws StagehandException {@code NOT_FOUND} if there is no {@code source};
     *         {@code ALREADY_EXISTS} if {@code target} exists; {@code PROVIDER_ERROR} if the copy
     *         fails, and then no {@code target} is left behind
     */
    DatabaseConnection copy(String source, String target);

    /**
     * Writes the database as Odoo's database manager dumps it ({@code odoo/service/db.py}
     * {@code dump_db}): plain SQL, {@code pg_dump --no-owner}, consistent as of one moment while the
     * database stays in use, read as the database's own role.
     *
     * @throws StagehandException {@code NOT_FOUND} if there is no such database;
     *         {@code PROVIDER_ERROR} if the dump fails, and then {@code target} is left absent
     */
    void dump(String name, Path target);

    /**
     * Creates {@code name}, owned by a role of its own as {@link #create}'s, and has {@code loader}
     * fill it, connected as that role: what the dump makes belongs to it, and a dump that undoes
     * the role it runs as ({@code RESET ROLE}) is still only that role. The loader gets the
     * role's credentials as a container reaches the server.
     *
     * @return how a container reaches the database as its own role
     * @throws StagehandException {@code ALREADY_EXISTS} if {@code name} exists; what the loader
     *         throws ({@code CORRUPT_DATA} for a dump that does not run), and then no database is left
     */
    DatabaseConnection restoreDump(String name, DumpLoader loader);

    /**
     * Replaces an existing database's content with a dump, keeping its role (restoring a backup
     * into production): a new database is made beside it, owned by a temporary role of its own
     * that {@code loader} connects as (so the dump reaches nothing of {@code name}'s meanwhile);
     * then {@code thenRun} runs there in one transaction, as that role (an imported database's
     * mail servers turned off, say); only once both ran whole does everything in it pass to
     * {@code name}'s role and the new database take {@code name}'s place, the old one dropped (its
     * connections closed). A failure leaves {@code name} as it was. A replacement interrupted while
     * it took the place (a platform stopped) is finished by the next call for the same name, so
     * calling again with the same dump always ends with it in place.
     *
     * @param thenRun SQL statements, possibly none (blank)
     * @throws StagehandException {@code NOT_FOUND} if there is no such database with a role of its
     *         own; what the loader throws ({@code CORRUPT_DATA} for a dump that does not run);
     *         {@code CORRUPT_DATA} if the restored database does not take {@code thenRun}
     */
    void replaceWithDump(String name, DumpLoader loader, String thenRun);

    /**
     * Takes a snapshot of a database that nothing is connected to (a production whose server is
     * stopped for an update), as fast as the server copies files. A snapshot is only for
     * {@link #restoreSnapshot} or {@link #drop}: no build connects to it.
     *
     * @throws StagehandException {@code NOT_FOUND} if there is no {@code name};
     *         {@code ALREADY_EXISTS} if {@code snapshotName} exists; {@code CONFLICT} if something is
     *         still connected to {@code name} after a few seconds (the sessions of a server just
     *         stopped are given that long to end)
     */
    void snapshot(String name, String snapshotName);

    /**
     * Puts a database back as it was when the snapshot was taken: {@code name} is dropped (its
     * connections closed) and the snapshot takes its place, with the same role, so credentials
     * from {@link #renewCredentials} still work. The snapshot is gone afterwards. Safe to call again
     * after an interruption: a missing {@code name} is fine.
     *
     * @throws StagehandException {@code NOT_FOUND} if there is no {@code snapshotName}
     */
    void restoreSnapshot(String snapshotName, String name);

    /**
     * Renames a database and its role (a staging build taking over its predecessor's database),
     * closing the connections to it.
     *
     * @return new credentials of the renamed role
     * @throws StagehandException {@code NOT_FOUND} if there is no {@code from};
     *         {@code ALREADY_EXISTS} if {@code to} exists
     */
    DatabaseConnection rename(String from, String to);

    /**
     * Gives the database's role a new password, for a new server on an existing database (a
     * production restarted on a new revision). Connections already open keep working; new ones
     * need the new credentials.
     *
     * @throws StagehandException {@code NOT_FOUND} if there is no such database, or it has no role
     *         of its own
     */
    DatabaseConnection renewCredentials(String name);

    /**
     * A login for people's shells on a production (psql): it reads the database and changes
     * nothing, until {@link #allowReaderWrites}; it reaches no other database. Made on the first
     * call; later calls give the same login while the provider runs (a new password when it
     * starts again), and reach the database again after a restore put a new one in its place.
     * Dropped with the database.
     *
     * @return how a container reaches the database as the reader
     * @throws StagehandException {@code NOT_FOUND} if there is no such database with a role of its
     *         own; {@code NOT_SUPPORTED} if the provider has no readers
     */
    default DatabaseConnection reader(String name)
    {
        throw new StagehandException(StandardErrorCode.NOT_SUPPORTED, getClass().getSimpleName() + " has no read-only logins; production shells need a provider that has (postgres)");
    }

    /**
     * Lets the database's reader write, as the database's own role (what it makes belongs to that
     * role), until {@link #revokeReaderWrites}. Its sessions open now are ended, so that the
     * next statement of a psql reconnects with the new rights.
     *
     * @throws StagehandException {@code NOT_FOUND} if there is no such database with a role of its
     *         own; {@code NOT_SUPPORTED} if the provider has no readers
     */
    default void allowReaderWrites(String name)
    {
        throw new StagehandException(StandardErrorCode.NOT_SUPPORTED, getClass().getSimpleName() + " has no read-only logins");
    }

    /**
     * Makes the database's reader read-only again, ending its sessions open now (one that was
     * allowed to write writes no more). Idempotent: nothing happens without a reader or a
     * database.
     */
    default void revokeReaderWrites(String name)
    {
    }

    /**
     * How much disk the database takes, as its server counts it (tables, indexes, TOAST), read by
     * the platform without entering the database.
     *
     * @return its size in bytes
     * @throws StagehandException {@code NOT_FOUND} if there is no such database; {@code NOT_SUPPORTED}
     *         if the provider cannot tell
     */
    default long size(String name)
    {
        throw new StagehandException(StandardErrorCode.NOT_SUPPORTED, getClass().getSimpleName() + " cannot tell a database's size");
    }

    /**
     * Runs a query on the database as its own role, never as the platform: a tenant's view or
     * function that the query reaches runs with the tenant's privileges alone. Names resolve in
     * {@code pg_catalog}, then {@code public} (no schema named after a role); qualify the tenant's
     * tables all the same ({@code public.x}).
     *
     * @param parameters values for the {@code ?} placeholders, in order
     * @return the rows, each a map from column label to value (JDBC's objects), in the query's order
     * @throws StagehandException {@code NOT_FOUND} if there is no such database with a role of its
     *         own; {@code PROVIDER_ERROR} if the statement fails
     */
    List<Map<String, Object>> query(String database, String sql, List<?> parameters);

    /**
     * Runs statements on the database in one transaction, as its own role, as {@link #query} does
     * (pointing a neutralized database's mail at the platform's catcher, say).
     *
     * @param parameters values for the {@code ?} placeholders, in order
     * @return the number of rows changed
     * @throws StagehandException {@code NOT_FOUND} if there is no such database with a role of its
     *         own; {@code PROVIDER_ERROR} if the statement fails, and then nothing is changed
     */
    int execute(String database, String sql, List<?> parameters);

    /**
     * Closes the provider's connections. Databases stay.
     */
    @Override
    void close();
}
