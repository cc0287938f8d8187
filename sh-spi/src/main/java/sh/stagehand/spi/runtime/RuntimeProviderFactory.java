package sh.stagehand.spi.runtime;

import sh.stagehand.spi.ProviderFactory;

/**
 * Creates {@link RuntimeProvider}s; configuration key {@code runtime.type} picks one by {@link #name()}.
 */
public interface RuntimeProviderFactory
        extends ProviderFactory<RuntimeProvider>
{
}
