package sh.stagehand.spi.database;

import sh.stagehand.spi.StagehandException;

import java.util.List;

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
     * expects ({@code pg_trgm}, {@code unaccent}) where the server offers them, owned by a login
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
     * @return the database's size on disk, in bytes
     * @throws StagehandException {@code NOT_FOUND}
     */
    long sizeBytes(String name);

    /**
     * @return how the platform's own role reaches the server from a container's network; for
     *         platform tools only, never for code a build runs (use what {@link #create} returns)
     */
    DatabaseConnection connectionInfo();

    /**
     * Closes the provider's connections. Databases stay.
     */
    @Override
    void close();
}
