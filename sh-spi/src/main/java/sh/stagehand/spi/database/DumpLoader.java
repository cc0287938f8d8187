package sh.stagehand.spi.database;

import sh.stagehand.spi.StagehandException;

/**
 * Loads a dump into an empty database: what {@link DatabaseProvider#restoreDump} and
 * {@link DatabaseProvider#replaceWithDump} call once the database exists.
 *
 * <p>A dump is a tenant's content (an imported file, or a backup of a database the tenant's code
 * wrote): a plain SQL dump is read by {@code psql}, whose meta-commands ({@code \!}, {@code \o},
 * {@code \c}, {@code \copy}) act on the machine it runs on. The platform's loader therefore runs
 * the client program where nothing but the dump, read-only, is reachable (a throw-away container),
 * refuses meta-commands outside a {@code COPY}'s data, and connects as the login it is given, never
 * as the platform.
 */
@FunctionalInterface
public interface DumpLoader
{
    /**
     * Loads the dump into {@code database}, stopping at the first error.
     *
     * @param login how to reach the server from a container, as a role that owns the database and
     *        may reach nothing else: what the dump makes belongs to it
     * @throws StagehandException {@code CORRUPT_DATA} if the dump does not run (the message says
     *         where and why); {@code INVALID_ARGUMENT} if it is refused before it runs
     */
    void load(String database, DatabaseConnection login);
}
