package sh.stagehand.spi.database;

import sh.stagehand.spi.ProviderFactory;

/**
 * Creates {@link DatabaseProvider}s; configuration key {@code database.type} picks one by {@link #name()}.
 */
public interface DatabaseProviderFactory
        extends ProviderFactory<DatabaseProvider>
{
}
