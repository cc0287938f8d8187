package sh.stagehand.core;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import com.google.inject.Stage;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import com.google.inject.spi.Message;
import io.micrometer.core.instrument.MeterRegistry;
import sh.stagehand.core.access.Account;
import sh.stagehand.core.access.AccountService;
import sh.stagehand.core.config.StagehandConfig;
import sh.stagehand.core.config.StagehandConfig.ProviderKind;
import sh.stagehand.core.monitor.BuildMonitor;
import sh.stagehand.core.monitor.BuildSampler;
import sh.stagehand.core.monitor.BuildTraffic;
import sh.stagehand.core.pipeline.BuildSleep;
import sh.stagehand.core.pipeline.ServerMoves;
import sh.stagehand.core.monitor.PlatformParts;
import sh.stagehand.core.production.BackupDownloads;
import sh.stagehand.core.production.ProductionBackups;
import sh.stagehand.core.production.ProductionRestores;
import sh.stagehand.core.project.Project;
import sh.stagehand.core.routing.HostRouter;
import sh.stagehand.spi.ProviderFactory;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StagehandPlugin;
import sh.stagehand.spi.backup.BackupStore;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.database.DatabaseProvider;
import sh.stagehand.spi.mail.MailSink;
import sh.stagehand.spi.runtime.RuntimeProvider;
import sh.stagehand.spi.vcs.PublicKeyDirectory;
import sh.stagehand.spi.vcs.VcsProvider;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * A running platform, for embedding in another application:
 * <pre>{@code
 * try (Stagehand stagehand = Stagehand.builder()
 *         .withProvider(DockerRuntimeProvider.FACTORY)
 *         .withProvider(PostgresDatabaseProvider.FACTORY)
 *         .withProvider(GitVcsProvider.FACTORY)
 *         .withModule(new PostgresStoreModule())
 *         .withProperty("postgres.url", "jdbc:postgresql://db:5432/postgres")
 *         .build()) {
 *     ...
 * }
 * }</pre>
 * {@link Builder#build()} checks every key (one that nobody declares, a typo, is refused with the
 * nearest known key suggested) and creates every configured provider, so that a wrong key or an
 * unreachable Docker engine fails at start-up rather than at the first push. {@link #start()} starts the
 * platform's own work ({@link Housekeeping}: reconciliation, polling, garbage collection); an
 * application that only uses the providers need not call it. {@link #close()} stops it and closes
 * the providers in reverse order. Thread-safe.
 */
public final class Stagehand
        implements AutoCloseable
{
    private final Injector injector;
    private final StagehandConfig config;

    private Stagehand(Injector injector)
    {
        this.injector = requireNonNull(injector, "injector is null");
        this.config = injector.getInstance(StagehandConfig.class);
    }

    public static Builder builder()
    {
        return new Builder();
    }

    public StagehandConfig config()
    {
        return config;
    }

    public RuntimeProvider runtime()
    {
        return injector.getInstance(RuntimeProvider.class);
    }

    public DatabaseProvider databases()
    {
        return injector.getInstance(DatabaseProvider.class);
    }

    public VcsProvider vcs()
    {
        return injector.getInstance(VcsProvider.class);
    }

    public BackupStore backups()
    {
        return injector.getInstance(BackupStore.class);
    }

    public MailSink mailSink()
    {
        return injector.getInstance(MailSink.class);
    }

    /**
     * Projects, branches, and what pushes and webhooks do.
     */
    public ProjectService projects()
    {
        return injector.getInstance(ProjectService.class);
    }

    /**
     * Builds, their logs and history, garbage collection and reconciliation.
     */
    public BuildService builds()
    {
        return injector.getInstance(BuildService.class);
    }

    /**
     * Which build a host name reaches ({@code <project>-<branch>-<build>.<domain>} and the like),
     * for a proxy in front of the builds.
     */
    public HostRouter hosts()
    {
        return injector.getInstance(HostRouter.class);
    }

    /**
     * The mail builds sent.
     */
    public MailService mail()
    {
        return injector.getInstance(MailService.class);
    }

    /**
     * Production's backups: taken, listed, pruned, verified.
     */
    public ProductionBackups productionBackups()
    {
        return injector.getInstance(ProductionBackups.class);
    }

    /**
     * Production's backups downloaded as Odoo's zip, exact or neutralized.
     */
    public BackupDownloads backupDownloads()
    {
        return injector.getInstance(BackupDownloads.class);
    }

    /**
     * Backups restored, and databases imported, into production or another branch.
     */
    public ProductionRestores productionRestores()
    {
        return injector.getInstance(ProductionRestores.class);
    }

    /**
     * Build servers a cluster runtime moved to another node, followed: for a proxy whose request
     * found no server where one was recorded ({@link ServerMoves#follow}).
     */
    public ServerMoves serverMoves()
    {
        return injector.getInstance(ServerMoves.class);
    }

    /**
     * Idle builds put to sleep, and woken by their first request, for a proxy in front of the
     * builds: {@link BuildSleep#touch} each request relayed, {@link BuildSleep#wake} a sleeping one.
     */
    public BuildSleep sleep()
    {
        return injector.getInstance(BuildSleep.class);
    }

    /**
     * What a proxy in front of the builds counts of their traffic, for monitoring: each request
     * relayed to a build from {@link BuildTraffic#begin} to its end.
     */
    public BuildTraffic traffic()
    {
        return injector.getInstance(BuildTraffic.class);
    }

    /**
     * Takes a round of samples of every running build now, as the housekeeping does every
     * {@code monitor.sample-interval}.
     */
    public BuildSampler sampler()
    {
        return injector.getInstance(BuildSampler.class);
    }

    /**
     * Every production probed as its users reach it, its availability, alerts when it is down.
     */
    public ProductionWatch productionWatch()
    {
        return injector.getInstance(ProductionWatch.class);
    }

    /**
     * The platform's meters ({@code stagehand.*}): the registry given to
     * {@link Builder#withMeterRegistry}, else one the platform keeps to itself.
     */
    public MeterRegistry meters()
    {
        return injector.getInstance(MeterRegistry.class);
    }

    public BuildTerminals terminals()
    {
        return injector.getInstance(BuildTerminals.class);
    }

    /**
     * Accounts, sessions, API tokens, SSH keys, roles in projects and the audit log.
     */
    public AccountService accounts()
    {
        return injector.getInstance(AccountService.class);
    }

    /**
     * What an account may do, each action checked against its role in the project and the stage of
     * the branch it touches, the privileged ones audited: what a front end calls on behalf of a
     * user. The other services here are the platform's own, unchecked.
     */
    public Actions actingAs(Account account)
    {
        return new Actions(account, accounts(), projects(), builds(), mail(), productionBackups(), backupDownloads(), productionRestores(), terminals(), injector.getInstance(ProductionWrites.class),
                injector.getInstance(BuildEditor.class), injector.getInstance(BuildApps.class),
                new MonitorActions.Services(injector.getInstance(BuildMonitor.class), injector.getInstance(ProductionWatch.class), injector.getInstance(PlatformParts.class)),
                sleep());
    }

    /**
     * @return the provider name in use for each provider kind, e.g. {@code RUNTIME -> docker}
     */
    public Map<ProviderKind, String> activeProviders()
    {
        Map<ProviderKind, String> active = new EnumMap<>(ProviderKind.class);
        for (ProviderKind kind : ProviderKind.values()) {
            active.put(kind, config.providerName(kind));
        }
        // Replicas, when configured, are what backups go to: "replicas: eu=filesystem, us=s3".
        List<String> replicas = config.backupReplicas();
        if (!replicas.isEmpty()) {
            active.put(ProviderKind.BACKUP, "replicas: " + replicas.stream().map(name -> name + "=" + config.replicaType(name)).collect(java.util.stream.Collectors.joining(", ")));
        }
        return active;
    }

    /**
     * Starts the platform's housekeeping: reconciles the records with what runs (builds cut off by
     * a restart are built again), then polls repositories and collects old builds on their
     * intervals. Idempotent.
     *
     * @return this
     */
    public Stagehand start()
    {
        // A grant of write access ends with the process that counted its time.
        injector.getInstance(ProductionWrites.class).revokeAll(projects().projects().stream().map(Project::id).toList());
        injector.getInstance(Housekeeping.class).start();
        injector.getInstance(OutboundMailSender.class).start();
        return this;
    }

    /**
     * Stops the housekeeping and the builds, then closes every provider, newest first. Idempotent.
     */
    @Override
    public void close()
    {
        injector.getInstance(LifecycleManager.class).close();
    }

    /**
     * Not thread-safe.
     */
    public static final class Builder
    {
        private final Map<String, String> properties = new HashMap<>();
        private final List<Module> modules = new ArrayList<>();
        private final List<StagehandPlugin> plugins = new ArrayList<>();
        private final List<ProviderFactory<?>> factories = new ArrayList<>();
        private final List<ConfigKeys> configKeys = new ArrayList<>();
        private boolean serviceLoaderPlugins;

        private Builder() {}

        public Builder withProperties(Map<String, String> properties)
        {
            this.properties.putAll(properties);
            return this;
        }

        public Builder withProperty(String key, String value)
        {
            properties.put(requireNonNull(key, "key is null"), requireNonNull(value, "value is null"));
            return this;
        }

        /**
         * Offers a provider, e.g. {@code DockerRuntimeProvider.FACTORY}; configuration picks the
         * one of each kind it names ({@code runtime.type=docker}).
         */
        public Builder withProvider(ProviderFactory<?> factory)
        {
            factories.add(requireNonNull(factory, "factory is null"));
            return this;
        }

        /**
         * Where an account may import its public SSH keys from, e.g. sh-github's
         * {@code GitHubPublicKeys}; without one, keys are pasted by hand.
         */
        public Builder withPublicKeyDirectory(PublicKeyDirectory directory)
        {
            requireNonNull(directory, "directory is null");
            modules.add(binder -> OptionalBinder.newOptionalBinder(binder, PublicKeyDirectory.class).setBinding().toInstance(directory));
            return this;
        }

        /**
         * Adds a Guice module, e.g. {@code PostgresStoreModule}, which keeps the platform's records in PostgreSQL.
         */
        public Builder withModule(Module module)
        {
            modules.add(requireNonNull(module, "module is null"));
            return this;
        }

        /**
         * Declares keys that the embedding application reads itself from the same properties (the
         * reference server's {@code http.port}, ...): without it, the platform refuses them as
         * unknown at start-up, as it refuses every key that nobody declares.
         */
        public Builder withConfigKeys(ConfigKeys keys)
        {
            configKeys.add(requireNonNull(keys, "keys is null"));
            return this;
        }

        /**
         * Where the platform keeps its meters ({@code stagehand.builds.queued},
         * {@code stagehand.build.duration}, {@code stagehand.backup.duration}, the running builds'
         * {@code stagehand.build.*} gauges): e.g. a Prometheus registry the application exports.
         */
        public Builder withMeterRegistry(MeterRegistry registry)
        {
            requireNonNull(registry, "registry is null");
            modules.add(binder -> OptionalBinder.newOptionalBinder(binder, MeterRegistry.class).setBinding().toInstance(registry));
            return this;
        }

        public Builder withPlugin(StagehandPlugin plugin)
        {
            plugins.add(requireNonNull(plugin, "plugin is null"));
            return this;
        }

        /**
         * Also adds every {@link StagehandPlugin} listed in {@code META-INF/services} on the class path.
         */
        public Builder withServiceLoaderPlugins()
        {
            serviceLoaderPlugins = true;
            return this;
        }

        /**
         * @throws StagehandException when configuration is wrong or a provider cannot start; the
         *         message says which key or which real part
         */
        public Stagehand build()
        {
            LifecycleManager lifecycle = new LifecycleManager();
            List<Module> all = new ArrayList<>();
            all.add(new CoreModule(new StagehandConfig(properties), lifecycle));
            all.addAll(modules);
            List<ConfigKeys> applicationKeys = List.copyOf(configKeys);
            all.add(binder -> applicationKeys.forEach(keys -> Multibinder.newSetBinder(binder, ConfigKeys.class).addBinding().toInstance(keys)));
            List<ProviderFactory<?>> givenFactories = List.copyOf(factories);
            all.add(binder -> givenFactories.forEach(factory -> CoreModule.providerFactories(binder).addBinding().toInstance(factory)));
            all.add(new PluginModule(plugins));
            if (serviceLoaderPlugins) {
                all.add(PluginModule.fromServiceLoader(Thread.currentThread().getContextClassLoader()));
            }
            try {
                // PRODUCTION: every singleton, providers included, is created now.
                return new Stagehand(Guice.createInjector(Stage.PRODUCTION, all));
            }
            catch (CreationException e) {
                throw closeAfterFailure(lifecycle, unwrap(e.getErrorMessages(), e));
            }
            catch (ProvisionException e) {
                throw closeAfterFailure(lifecycle, unwrap(e.getErrorMessages(), e));
            }
        }

        // The providers created before the failure would otherwise stay open.
        private static RuntimeException closeAfterFailure(LifecycleManager lifecycle, RuntimeException failure)
        {
            try {
                lifecycle.close();
            }
            catch (RuntimeException e) {
                failure.addSuppressed(e);
            }
            return failure;
        }

        private static RuntimeException unwrap(Collection<Message> messages, RuntimeException guiceException)
        {
            for (Message message : messages) {
                for (Throwable cause = message.getCause(); cause != null; cause = cause.getCause()) {
                    if (cause instanceof StagehandException stagehandException) {
                        // Our message says what to do; where Guice was is for whoever debugs the wiring.
                        // Not Guice's exception itself: its text prints this one's, whose suppressed
                        // it would be, and printing either would never end.
                        stagehandException.addSuppressed(new IllegalStateException("Guice failed while creating " + message.getSource()));
                        return stagehandException;
                    }
                }
            }
            return guiceException;
        }
    }
}
