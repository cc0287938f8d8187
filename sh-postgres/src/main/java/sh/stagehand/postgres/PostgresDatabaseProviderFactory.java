package sh.stagehand.postgres;

import sh.stagehand.spi.ProviderContext;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.spi.database.DatabaseProviderFactory;

import java.util.Map;

/**
 * {@code database.type=postgres}; see {@link PostgresConfig} for its keys.
 */
public final class PostgresDatabaseProviderFactory
        implements DatabaseProviderFactory
{
    public static final String NAME = "postgres";

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public ConfigKeys configKeys()
    {
        return PostgresConfig.KEYS;
    }

    @Override
    public DatabaseProvider create(Map<String, String> config, ProviderContext context)
    {
        return new PostgresDatabaseProvider(PostgresConfig.fromMap(config));
    }
}
