package sh.stagehand.github;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import sh.stagehand.spi.vcs.VcsProviderFactory;

/**
 * Makes {@code vcs.type=git} available.
 */
public final class GitHubModule
        extends AbstractModule
{
    @Override
    protected void configure()
    {
        MapBinder.newMapBinder(binder(), String.class, VcsProviderFactory.class)
                .addBinding(GitVcsProviderFactory.NAME).to(GitVcsProviderFactory.class);
    }
}
