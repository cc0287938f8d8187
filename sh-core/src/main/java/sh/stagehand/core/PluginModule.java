package sh.stagehand.core;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import sh.stagehand.spi.ProviderFactory;
import sh.stagehand.spi.StagehandPlugin;
import sh.stagehand.spi.backup.BackupStoreFactory;
import sh.stagehand.spi.database.DatabaseProviderFactory;
import sh.stagehand.spi.mail.MailRelayFactory;
import sh.stagehand.spi.mail.MailSinkFactory;
import sh.stagehand.spi.runtime.RuntimeProviderFactory;
import sh.stagehand.spi.vcs.VcsProviderFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

import static java.util.Objects.requireNonNull;

/**
 * Adds the factories of Guice-free {@link StagehandPlugin}s to the platform's {@link MapBinder}s,
 * so that configuration can pick them like any built-in provider.
 */
public final class PluginModule
        extends AbstractModule
{
    private final List<StagehandPlugin> plugins;

    public PluginModule(Iterable<? extends StagehandPlugin> plugins)
    {
        List<StagehandPlugin> list = new ArrayList<>();
        requireNonNull(plugins, "plugins is null").forEach(list::add);
        this.plugins = List.copyOf(list);
    }

    /**
     * The plugins listed in {@code META-INF/services/sh.stagehand.spi.StagehandPlugin} on the class path.
     */
    public static PluginModule fromServiceLoader(ClassLoader classLoader)
    {
        return new PluginModule(ServiceLoader.load(StagehandPlugin.class, classLoader));
    }

    @Override
    protected void configure()
    {
        for (StagehandPlugin plugin : plugins) {
            addAll(MapBinder.newMapBinder(binder(), String.class, RuntimeProviderFactory.class), plugin.runtimeProviderFactories());
            addAll(MapBinder.newMapBinder(binder(), String.class, DatabaseProviderFactory.class), plugin.databaseProviderFactories());
            addAll(MapBinder.newMapBinder(binder(), String.class, VcsProviderFactory.class), plugin.vcsProviderFactories());
            addAll(MapBinder.newMapBinder(binder(), String.class, BackupStoreFactory.class), plugin.backupStoreFactories());
            addAll(MapBinder.newMapBinder(binder(), String.class, MailSinkFactory.class), plugin.mailSinkFactories());
            addAll(MapBinder.newMapBinder(binder(), String.class, MailRelayFactory.class), plugin.mailRelayFactories());
        }
    }

    private static <F extends ProviderFactory<?>> void addAll(MapBinder<String, F> binder, Iterable<F> factories)
    {
        for (F factory : factories) {
            binder.addBinding(factory.name()).toInstance(factory);
        }
    }
}
