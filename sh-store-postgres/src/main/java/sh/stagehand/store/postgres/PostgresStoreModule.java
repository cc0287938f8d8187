package sh.stagehand.store.postgres;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.MapBinder;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import sh.stagehand.core.LifecycleManager;
import sh.stagehand.core.access.AccountStore;
import sh.stagehand.core.config.StagehandConfig;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.OutboundMailStore;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.postgres.PostgresConfig;
import sh.stagehand.postgres.PostgresDatabaseProviderFactory;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.mail.MailSinkFactory;

/**
 * Keeps the platform's records ({@link ProjectStore}, {@link BuildStore}, {@link AccountStore},
 * {@link OutboundMailStore}) in PostgreSQL, their secrets sealed by a {@link SecretBox} whose key
 * is the file of {@code secrets.key-file}, and makes {@code mail.type=postgres} available. The
 * metadata database is reached with the {@code postgres.} keys of {@link PostgresConfig}.
 */
public final class PostgresStoreModule
        extends AbstractModule
{
    @Override
    protected void configure()
    {
        MapBinder.newMapBinder(binder(), String.class, MailSinkFactory.class)
                .addBinding(PostgresMailSinkFactory.NAME).to(PostgresMailSinkFactory.class);
        OptionalBinder.newOptionalBinder(binder(), ProjectStore.class).setBinding().to(PostgresPlatformStore.class);
        OptionalBinder.newOptionalBinder(binder(), BuildStore.class).setBinding().to(PostgresPlatformStore.class);
        OptionalBinder.newOptionalBinder(binder(), OutboundMailStore.class).setBinding().to(PostgresPlatformStore.class);
        OptionalBinder.newOptionalBinder(binder(), AccountStore.class).setBinding().to(PostgresAccountStore.class);
        Multibinder.newSetBinder(binder(), ConfigKeys.class).addBinding().toInstance(SecretBox.KEYS);
    }

    @Provides
    @Singleton
    PostgresAccountStore accountStore(PostgresPlatformStore platformStore)
    {
        return new PostgresAccountStore(platformStore.metadata());
    }

    @Provides
    @Singleton
    PostgresPlatformStore platformStore(StagehandConfig config, SecretBox secrets, LifecycleManager lifecycle)
    {
        return lifecycle.manage(new PostgresPlatformStore(PostgresConfig.fromMap(config.providerConfig(PostgresDatabaseProviderFactory.NAME)), secrets));
    }

    // secrets.key-file, default <data.directory>/secrets.key: created on first start.
    @Provides
    @Singleton
    SecretBox secretBox(StagehandConfig config)
    {
        return SecretBox.fromConfig(config);
    }
}
