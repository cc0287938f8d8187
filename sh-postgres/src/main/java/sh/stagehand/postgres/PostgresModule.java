package sh.stagehand.postgres;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import sh.stagehand.spi.database.DatabaseProviderFactory;

/**
 * Makes {@code database.type=postgres} available. The platform's own records in PostgreSQL are
 * sh-store-postgres's {@code PostgresStoreModule}.
 */
public final class PostgresModule
        extends AbstractModule
{
    @Override
    protected void configure()
    {
        MapBinder.newMapBinder(binder(), String.class, DatabaseProviderFactory.class)
                .addBinding(PostgresDatabaseProviderFactory.NAME).to(PostgresDatabaseProviderFactory.class);
    }
}
