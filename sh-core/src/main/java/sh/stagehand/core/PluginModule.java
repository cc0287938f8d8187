package sh.stagehand.core;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import sh.stagehand.spi.ProviderFactory;
import sh.stagehand.spi.StagehandPlugin;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

import static java.util.Objects.requireNonNull;

/**
 * Adds the factories of Guice-free {@link StagehandPlugin}s to the platform's
 * ({@link CoreModule#providerFactories}), so that configuration can pick them like any built-in
 * provider.
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
        Multibinder<ProviderFactory<?>> factories = CoreModule.providerFactories(binder());
        for (StagehandPlugin plugin : plugins) {
            plugin.providerFactories().forEach(factory -> factories.addBinding().toInstance(factory));
        }
    }
}
