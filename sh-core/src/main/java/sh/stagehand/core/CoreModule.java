package sh.stagehand.core;

import com.google.inject.AbstractModule;
import com.google.inject.Binder;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.Singleton;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import sh.stagehand.core.access.AccountService;
import sh.stagehand.core.access.AccountStore;
import sh.stagehand.core.access.AuthSettings;
import sh.stagehand.core.access.InMemoryAccountStore;
import sh.stagehand.core.backup.BackupSettings;
import sh.stagehand.core.backup.FilesystemBackupStore;
import sh.stagehand.core.backup.ReplicatedBackupStore;
import sh.stagehand.core.backup.RetentionPolicy;
import sh.stagehand.core.config.KnownKeys;
import sh.stagehand.core.config.PlatformSettings;
import sh.stagehand.core.config.StagehandConfig;
import sh.stagehand.core.config.StagehandConfig.ProviderKind;
import sh.stagehand.core.files.ContainerUser;
import sh.stagehand.core.logs.BuildLogs;
import sh.stagehand.core.mail.InMemoryMailSink;
import sh.stagehand.core.monitor.BuildMonitor;
import sh.stagehand.core.monitor.BuildSampler;
import sh.stagehand.core.monitor.BuildTraffic;
import sh.stagehand.core.monitor.MonitorSettings;
import sh.stagehand.core.monitor.PlatformParts;
import sh.stagehand.core.pipeline.BuildCleaner;
import sh.stagehand.core.pipeline.BuildScheduler;
import sh.stagehand.core.pipeline.BuildSteps;
import sh.stagehand.core.pipeline.CommitStatuses;
import sh.stagehand.core.pipeline.DevelopmentPipeline;
import sh.stagehand.core.pipeline.BuildSleep;
import sh.stagehand.core.pipeline.GarbageCollector;
import sh.stagehand.core.pipeline.ProductionPipeline;
import sh.stagehand.core.pipeline.Reconciler;
import sh.stagehand.core.pipeline.ServerMoves;
import sh.stagehand.core.pipeline.SleepSettings;
import sh.stagehand.core.pipeline.StagePipelines;
import sh.stagehand.core.pipeline.StagingPipeline;
import sh.stagehand.core.production.BackupDownloads;
import sh.stagehand.core.production.ProductionBackups;
import sh.stagehand.core.production.ProductionRestores;
import sh.stagehand.core.routing.HostRouter;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.InMemoryMetricStore;
import sh.stagehand.core.store.InMemoryPlatformStore;
import sh.stagehand.core.store.MetricStore;
import sh.stagehand.core.store.OutboundMailStore;
import sh.stagehand.core.store.ProjectStore;
import sh.stagehand.core.workspace.BuildWorkspaces;
import sh.stagehand.core.workspace.ProductionLocks;
import sh.stagehand.spi.ProviderContext;
import sh.stagehand.spi.ProviderFactory;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.backup.BackupStore;
import sh.stagehand.spi.config.ConfigKey;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.config.ConfigType;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.spi.mail.MailRelay;
import sh.stagehand.spi.mail.MailSink;
import sh.stagehand.spi.runtime.RuntimeProvider;
import sh.stagehand.spi.vcs.PublicKeyDirectory;
import sh.stagehand.spi.vcs.VcsProvider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * The platform's Guice wiring. Provider factories, the embedder's
 * ({@link Stagehand.Builder#withProvider}), the plugins' ({@link PluginModule}) and those a module
 * binds ({@link #providerFactories}), are one set; this module picks one per kind by its
 * configuration key ({@code runtime.type=docker}) and creates it once, closed by the platform's
 * {@link LifecycleManager} at shutdown.
 *
 * <p>Binds the filesystem {@link BackupStore} ({@code backup.type=filesystem}) and the in-memory
 * {@link MailSink} ({@code mail.type=memory}) of sh-core itself.
 */
public final class CoreModule
        extends AbstractModule
{
    public static final ConfigKey<Duration> OUTBOUND_MAX_AGE = ConfigKey.of("mail.outbound-max-age", ConfigType.duration(), "72h",
            "how long production's mail may wait for the relay before it bounces").formerly("mail.outbound-max-age-hours");
    /** The keys sh-core reads. */
    public static final ConfigKeys KEYS = ConfigKeys.union("the platform", List.of(StagehandConfig.KEYS, PlatformSettings.KEYS, AuthSettings.KEYS, BackupSettings.KEYS,
            ConfigKeys.of("the platform's mail", OUTBOUND_MAX_AGE), BuildTerminals.KEYS, ConfigKeys.of("production's shells", ProductionWrites.MAX_GRANT), MonitorSettings.KEYS,
            SleepSettings.KEYS));

    private final StagehandConfig config;
    private final LifecycleManager lifecycle;

    public CoreModule(StagehandConfig config)
    {
        this(config, new LifecycleManager());
    }

    CoreModule(StagehandConfig config, LifecycleManager lifecycle)
    {
        this.config = requireNonNull(config, "config is null");
        this.lifecycle = requireNonNull(lifecycle, "lifecycle is null");
    }

    @Override
    protected void configure()
    {
        binder().disableCircularProxies();
        bind(StagehandConfig.class).toInstance(config);
        bind(LifecycleManager.class).toInstance(lifecycle);
        // The first singleton: every key is known before anything is created of a configuration with a typo.
        bind(KnownKeys.class).toProvider(KnownKeysProvider.class).in(Scopes.SINGLETON);
        Multibinder.newSetBinder(binder(), ConfigKeys.class).addBinding().toInstance(KEYS);
        OptionalBinder.newOptionalBinder(binder(), Clock.class).setDefault().toInstance(Clock.systemUTC());
        // The platform's metrics: kept to itself unless the embedder gives a registry it exports (Prometheus's).
        OptionalBinder.newOptionalBinder(binder(), MeterRegistry.class).setDefault().toInstance(new SimpleMeterRegistry());

        // Its own providers; none relays mail: production's mail waits in its queue until an embedder's relay is configured.
        Multibinder<ProviderFactory<?>> factories = providerFactories(binder());
        factories.addBinding().toInstance(FilesystemBackupStore.FACTORY);
        factories.addBinding().toInstance(InMemoryMailSink.FACTORY);
        bind(ProviderFactories.class).in(Scopes.SINGLETON);

        // The records: in memory unless a module (sh-postgres) sets its own.
        bind(InMemoryPlatformStore.class).in(Scopes.SINGLETON);
        OptionalBinder.newOptionalBinder(binder(), ProjectStore.class).setDefault().to(InMemoryPlatformStore.class);
        OptionalBinder.newOptionalBinder(binder(), BuildStore.class).setDefault().to(InMemoryPlatformStore.class);
        OptionalBinder.newOptionalBinder(binder(), OutboundMailStore.class).setDefault().to(InMemoryPlatformStore.class);
        bind(InMemoryMetricStore.class).in(Scopes.SINGLETON);
        OptionalBinder.newOptionalBinder(binder(), MetricStore.class).setDefault().to(InMemoryMetricStore.class);
        bind(InMemoryAccountStore.class).in(Scopes.SINGLETON);
        OptionalBinder.newOptionalBinder(binder(), AccountStore.class).setDefault().to(InMemoryAccountStore.class);
        bind(AccountService.class).in(Scopes.SINGLETON);
        // The public SSH keys an account may import: none unless a module (sh-github) reads them.
        OptionalBinder.newOptionalBinder(binder(), PublicKeyDirectory.class);

        bind(BuildWorkspaces.class).in(Scopes.SINGLETON);
        bind(CommitStatuses.class).in(Scopes.SINGLETON);
        bind(BuildSteps.class).in(Scopes.SINGLETON);
        bind(ProductionLocks.class).in(Scopes.SINGLETON);
        bind(DevelopmentPipeline.class).in(Scopes.SINGLETON);
        bind(StagingPipeline.class).in(Scopes.SINGLETON);
        bind(ProductionPipeline.class).in(Scopes.SINGLETON);
        bind(StagePipelines.class).in(Scopes.SINGLETON);
        bind(BuildCleaner.class).in(Scopes.SINGLETON);
        bind(GarbageCollector.class).in(Scopes.SINGLETON);
        bind(Reconciler.class).in(Scopes.SINGLETON);
        bind(ProjectService.class).in(Scopes.SINGLETON);
        bind(MailService.class).in(Scopes.SINGLETON);
        bind(ProductionBackups.class).in(Scopes.SINGLETON);
        bind(BackupDownloads.class).in(Scopes.SINGLETON);
        bind(ProductionRestores.class).in(Scopes.SINGLETON);
        bind(BuildService.class).in(Scopes.SINGLETON);
        bind(HostRouter.class).in(Scopes.SINGLETON);
    }

    /**
     * The set a module adds its provider factories to, e.g.
     * {@code providerFactories(binder()).addBinding().toInstance(factory)}.
     */
    public static Multibinder<ProviderFactory<?>> providerFactories(Binder binder)
    {
        Multibinder<ProviderFactory<?>> factories = Multibinder.newSetBinder(binder, new TypeLiteral<ProviderFactory<?>>() {});
        // The same factory added twice (a plugin given and also found on the class path) is one.
        factories.permitDuplicates();
        return factories;
    }

    @Provides
    @Singleton
    AuthSettings authSettings()
    {
        return AuthSettings.fromConfig(config);
    }

    @Provides
    @Singleton
    PlatformSettings platformSettings()
    {
        return PlatformSettings.fromConfig(config);
    }

    @Provides
    @Singleton
    ContainerUser containerUser(PlatformSettings settings)
    {
        return ContainerUser.fromSettings(settings);
    }

    @Provides
    @Singleton
    BackupSettings backupSettings()
    {
        return BackupSettings.fromConfig(config);
    }

    @Provides
    @Singleton
    RetentionPolicy retentionPolicy(BackupSettings settings)
    {
        return settings.retention();
    }

    @Provides
    @Singleton
    BuildLogs buildLogs(ProviderContext context)
    {
        return lifecycle.manage(new BuildLogs(context.dataDirectory().resolve("logs")));
    }

    @Provides
    @Singleton
    BuildTerminals buildTerminals(RuntimeProvider runtime, DatabaseProvider databases, BuildWorkspaces workspaces, BuildLogs logs, Clock clock)
    {
        return lifecycle.manage(new BuildTerminals(runtime, databases, workspaces, logs, config.values(KEYS).get(BuildTerminals.IDLE_TIMEOUT),
                config.values(KEYS).get(BuildTerminals.MAX_PER_ACCOUNT), config.values(KEYS).get(BuildTerminals.MAX_OPEN), config.values(KEYS).get(BuildTerminals.MAX_LIFETIME), clock));
    }

    @Provides
    @Singleton
    BuildEditor buildEditor(RuntimeProvider runtime, BuildWorkspaces workspaces, BuildLogs logs, ProjectService projects, PlatformSettings settings, Clock clock)
    {
        return new BuildEditor(runtime, workspaces, logs, projects, settings, clock);
    }

    @Provides
    @Singleton
    ProductionWatch productionWatch(ProjectStore projects, BuildStore builds, HostRouter hosts, MetricStore store, AccountService accounts, OutboundMailStore outbound,
            OutboundMailSender sender, PlatformSettings settings, MonitorSettings monitor, Clock clock)
    {
        return lifecycle.manage(new ProductionWatch(projects, builds, hosts, store, accounts, outbound, sender, settings, monitor, clock));
    }

    @Provides
    @Singleton
    PlatformParts platformParts(RuntimeProvider runtime, DatabaseProvider databases, ProjectStore projects, BackupStore backups, MonitorSettings monitor, Clock clock)
    {
        return lifecycle.manage(new PlatformParts(runtime, databases, projects, backups, config.providerName(ProviderKind.MAIL_RELAY), monitor.probeTimeout(), clock));
    }

    @Provides
    @Singleton
    BuildApps buildApps(RuntimeProvider runtime, DatabaseProvider databases, BuildWorkspaces workspaces, BuildLogs logs, ProjectService projects, ProjectStore store,
            BuildStore builds, PlatformSettings settings, Clock clock)
    {
        return lifecycle.manage(new BuildApps(runtime, databases, workspaces, logs, projects, store, builds, settings, clock));
    }

    @Provides
    @Singleton
    ProductionWrites productionWrites(DatabaseProvider databases, AccountService accounts, Clock clock)
    {
        return lifecycle.manage(new ProductionWrites(databases, accounts, config.values(KEYS).get(ProductionWrites.MAX_GRANT), clock));
    }

    @Provides
    @Singleton
    BuildScheduler buildScheduler(BuildStore builds, StagePipelines pipelines, PlatformSettings settings, MeterRegistry meters, Clock clock)
    {
        // Closed first (it was created after the providers it uses): running builds stop before their providers do.
        return lifecycle.manage(new BuildScheduler(builds, pipelines, settings, meters, clock));
    }

    @Provides
    @Singleton
    MonitorSettings monitorSettings()
    {
        return MonitorSettings.from(config.values(KEYS));
    }

    @Provides
    @Singleton
    SleepSettings sleepSettings()
    {
        return SleepSettings.from(config.values(KEYS));
    }

    @Provides
    @Singleton
    BuildSleep buildSleep(BuildStore builds, ProjectStore projects, BuildSteps steps, BuildCleaner cleaner, DatabaseProvider databases, BuildWorkspaces workspaces,
            SleepSettings settings, Clock clock)
    {
        return lifecycle.manage(new BuildSleep(builds, projects, steps, cleaner, databases, workspaces, settings, clock));
    }

    // What the proxy relays, counted only where builds are sampled.
    @Provides
    @Singleton
    BuildTraffic buildTraffic(MonitorSettings settings)
    {
        return settings.enabled() ? new BuildTraffic() : BuildTraffic.disabled();
    }

    @Provides
    @Singleton
    BuildSampler buildSampler(BuildStore builds, RuntimeProvider runtime, DatabaseProvider databases, BuildWorkspaces workspaces, BuildTraffic traffic, MetricStore store,
            MeterRegistry meters, MonitorSettings settings, Clock clock)
    {
        return lifecycle.manage(new BuildSampler(builds, runtime, databases, workspaces, traffic, store, meters, settings.filestoreInterval(), clock));
    }

    @Provides
    @Singleton
    BuildMonitor buildMonitor(MetricStore store, BuildStore builds, MonitorSettings settings, Clock clock)
    {
        return new BuildMonitor(store, builds, settings, clock);
    }

    @Provides
    @Singleton
    Housekeeping housekeeping(BuildService builds, ProjectService projects, ProductionBackups backups, AccountService accounts, PlatformSettings settings, BackupSettings backupSettings,
            BuildSampler sampler, BuildMonitor monitor, ProductionWatch watch, MonitorSettings monitorSettings, BuildSleep sleep, ServerMoves moves, Clock clock)
    {
        // Created after the scheduler, so closed before it: no new round starts while builds stop.
        return lifecycle.manage(new Housekeeping(builds, projects, backups, accounts, settings, backupSettings, new Housekeeping.Monitoring(sampler, monitor, watch, monitorSettings),
                sleep, moves, clock));
    }

    // Every provider is given the context: the configuration's keys are known before the first is created.
    @Provides
    @Singleton
    ProviderContext providerContext(Clock clock, KnownKeys knownKeys)
    {
        Path dataDirectory = config.dataDirectory();
        try {
            Files.createDirectories(dataDirectory);
        }
        catch (IOException e) {
            throw new StagehandException(StandardErrorCode.INVALID_CONFIGURATION,
                    StagehandConfig.DATA_DIRECTORY + "=" + dataDirectory + " cannot be created: " + e.getMessage() + "; point it at a writable directory", e);
        }
        return new ProviderContext(config.instanceName(), dataDirectory, clock);
    }

    @Provides
    @Singleton
    RuntimeProvider runtimeProvider(ProviderFactories factories, ProviderContext context, LifecycleManager lifecycle)
    {
        return create(ProviderKind.RUNTIME, RuntimeProvider.class, factories, context, lifecycle);
    }

    @Provides
    @Singleton
    DatabaseProvider databaseProvider(ProviderFactories factories, ProviderContext context, LifecycleManager lifecycle)
    {
        return create(ProviderKind.DATABASE, DatabaseProvider.class, factories, context, lifecycle);
    }

    @Provides
    @Singleton
    VcsProvider vcsProvider(ProviderFactories factories, ProviderContext context, LifecycleManager lifecycle)
    {
        return create(ProviderKind.VCS, VcsProvider.class, factories, context, lifecycle);
    }

    @Provides
    @Singleton
    BackupStore backupStore(ProviderFactories factories, ProviderContext context, LifecycleManager lifecycle)
    {
        // backup.replicas=eu,us,asia: one store each, backup.replica.<name>.type (default filesystem)
        // and backup.replica.<name>.<key> for its keys; without it, the one store of backup.type.
        List<String> names = config.backupReplicas();
        if (names.isEmpty()) {
            return create(ProviderKind.BACKUP, BackupStore.class, factories, context, lifecycle);
        }
        Map<String, BackupStore> replicas = new LinkedHashMap<>();
        for (String name : names) {
            String prefix = "backup.replica." + name + ".";
            String type = config.replicaType(name);
            ProviderFactory<BackupStore> factory = factories.get(ProviderKind.BACKUP, BackupStore.class, type, prefix + "type");
            Map<String, String> replicaConfig = new HashMap<>();
            config.asMap().forEach((key, value) -> {
                if (key.startsWith(prefix) && !key.equals(prefix + "type")) {
                    replicaConfig.put(type + "." + key.substring(prefix.length()), value);
                }
            });
            replicas.put(name, factory.create(replicaConfig, context));
        }
        return lifecycle.manage(new ReplicatedBackupStore(replicas));
    }

    @Provides
    @Singleton
    MailSink mailSink(ProviderFactories factories, ProviderContext context, LifecycleManager lifecycle)
    {
        return create(ProviderKind.MAIL, MailSink.class, factories, context, lifecycle);
    }

    /**
     * What delivers production's mail, {@code mail.relay-type}.
     */
    @Provides
    @Singleton
    MailRelay mailRelay(ProviderFactories factories, ProviderContext context, LifecycleManager lifecycle)
    {
        if (config.providerName(ProviderKind.MAIL_RELAY).equals(MailRelays.NONE)) {
            return MailRelays.none();
        }
        return create(ProviderKind.MAIL_RELAY, MailRelay.class, factories, context, lifecycle);
    }

    /**
     * Delivers production's queued mail through the relay; what waits longer than
     * {@link #OUTBOUND_MAX_AGE} bounces.
     */
    @Provides
    @Singleton
    OutboundMailSender outboundMailSender(OutboundMailStore queue, MailRelay relay, Clock clock)
    {
        return lifecycle.manage(new OutboundMailSender(queue, relay, config.values(KEYS).get(OUTBOUND_MAX_AGE), clock));
    }

    private <P extends AutoCloseable> P create(ProviderKind kind, Class<P> type, ProviderFactories factories, ProviderContext context, LifecycleManager lifecycle)
    {
        String name = config.providerName(kind);
        P provider = factories.get(kind, type, name).create(config.providerConfig(name), context);
        if (provider == null) {
            throw new StagehandException(StandardErrorCode.GENERIC_INTERNAL_ERROR, "Factory '" + name + "' of " + kind.key() + " returned no provider");
        }
        return lifecycle.manage(provider);
    }

    /**
     * Every key of the configuration claimed by someone: the platform, a module, the embedding
     * application, a provider of any kind.
     */
    private static final class KnownKeysProvider
            implements Provider<KnownKeys>
    {
        private final StagehandConfig config;
        private final Set<ConfigKeys> declared;
        private final ProviderFactories factories;

        @Inject
        KnownKeysProvider(StagehandConfig config, Set<ConfigKeys> declared, ProviderFactories factories)
        {
            this.config = requireNonNull(config, "config is null");
            this.declared = Set.copyOf(requireNonNull(declared, "declared is null"));
            this.factories = requireNonNull(factories, "factories is null");
        }

        @Override
        public KnownKeys get()
        {
            return KnownKeys.check(config, declared, factories.all());
        }
    }
}
