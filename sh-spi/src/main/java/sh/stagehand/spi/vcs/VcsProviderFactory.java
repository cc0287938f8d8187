package sh.stagehand.spi.vcs;

import sh.stagehand.spi.ProviderFactory;

/**
 * Creates {@link VcsProvider}s; configuration key {@code vcs.type} picks one by {@link #name()}.
 */
public interface VcsProviderFactory
        extends ProviderFactory<VcsProvider>
{
}
