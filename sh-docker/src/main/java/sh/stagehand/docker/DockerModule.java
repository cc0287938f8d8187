package sh.stagehand.docker;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import sh.stagehand.spi.runtime.RuntimeProviderFactory;

/**
 * Makes {@code runtime.type=docker} available.
 */
public final class DockerModule
        extends AbstractModule
{
    @Override
    protected void configure()
    {
        MapBinder.newMapBinder(binder(), String.class, RuntimeProviderFactory.class)
                .addBinding(DockerRuntimeProviderFactory.NAME).to(DockerRuntimeProviderFactory.class);
    }
}
