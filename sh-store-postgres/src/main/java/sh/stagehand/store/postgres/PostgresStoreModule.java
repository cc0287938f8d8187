package sh.stagehand.store.postgres;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import com.google.inject.multibindings.ProvidesIntoSet;
import sh.stagehand.core.LifecycleManager;
import sh.stagehand.core.access.AccountStore;
import sh.stagehand.core.config.StagehandConfig;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.MetricStore;
import sh.stagehand.core.store.OutboundMailStore;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.postgres.PostgresConfig;
import sh.stagehand.postgres.PostgresDatabaseProvider;
import sh.stagehand.spi.ProviderFactory;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.mail.MailSink;

/**
 * Keeps the platform's records ({@link ProjectStore}, {@link BuildStore}, {@link AccountStore},
 * {@link OutboundMailStore}, {@link MetricStore}) in PostgreSQL, their secrets sealed by a {@link SecretBox} whose key
 * is the file of {@code secrets.key-file}, and makes {@code mail.type=postgres} available. The
 * metadata database is reached with the {@code postgres.} keys of {@link PostgresConfig}.
 */
public final class PostgresStoreModule
        extends AbstractModule
{
    @Override
    protected void configure()
    {
        OptionalBinder.newOptionalBinder(binder(), ProjectStore.class).setBinding().to(PostgresPlatformStore.class);
        OptionalBinder.newOptionalBinder(binder(), BuildStore.class).setBinding().to(PostgresPlatformStore.class);
        OptionalBinder.newOptionalBinder(binder(), OutboundMailStore.class).setBinding().to(PostgresPlatformStore.class);
        OptionalBinder.newOptionalBinder(binder(), AccountStore.class).setBinding().to(PostgresAccountStore.class);
        OptionalBinder.newOptionalBinder(binder(), MetricStore.class).setBinding().to(PostgresMetricStore.class);
        Multibinder.newSetBinder(binder(), ConfigKeys.class).addBinding().toInstance(SecretBox.KEYS);
    }

    /**
     * {@code mail.type=postgres}: captured mail in the metadata database; its keys are the
     * {@code postgres.} keys of {@link PostgresConfig}.
     */
    @ProvidesIntoSet
    ProviderFactory<?> postgresMailSink(SecretBox secrets)
    {
        return ProviderFactory.of(MailSink.class, "postgres", PostgresConfig.KEYS,
                (config, context) -> new PostgresMailSink(PostgresConfig.fromMap(config), secrets, context.clock()));
    }

    @Provides
    @Singleton
    PostgresAccountStore accountStore(PostgresPlatformStore platformStore)
    {
        return new PostgresAccountStore(platformStore.metadata());
    }

    @Provides
    @Singleton
    PostgresMetricStore metricStore(PostgresPlatformStore platformStore)
    {
        return new PostgresMetricStore(platformStore.metadata());
    }

    @Provides
    @Singleton
    PostgresPlatformStore platformStore(StagehandConfig config, SecretBox secrets, LifecycleManager lifecycle)
    {
        return lifecycle.manage(new PostgresPlatformStore(PostgresConfig.fromMap(config.providerConfig(PostgresDatabaseProvider.FACTORY.name())), secrets));
    }

    // secrets.key-file, default <data.directory>/secrets.key: created on first start.
    @Provides
    @Singleton
    SecretBox secretBox(StagehandConfig config)
    {
        return SecretBox.fromConfig(config);
    }
}
