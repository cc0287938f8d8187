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
     * Creates an empty database, encoding UTF8 from {@code template0}, owned by the role in
     * {@link #connectionInfo()}, with the extensions Odoo expects ({@code pg_trgm}, {@code unaccent})
     * where the server offers them.
     *
     * @throws StagehandException {@code INVALID_ARGUMENT} for a bad name; {@code ALREADY_EXISTS}
     */
    void create(String name);

    /**
     * Drops the database, closing the connections still open to it. Idempotent.
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
     * @return how a container on the platform's network reaches the server (host, port, role and
     *         password for Odoo's {@code --db_host}, {@code --db_port}, {@code --db_user},
     *         {@code --db_password})
     */
    DatabaseConnection connectionInfo();

    /**
     * Closes the provider's connections. Databases stay.
     */
    @Override
    void close();
}
