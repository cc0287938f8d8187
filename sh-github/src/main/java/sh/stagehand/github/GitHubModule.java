package sh.stagehand.github;

import com.google.inject.AbstractModule;
import com.google.inject.Scopes;
import com.google.inject.multibindings.MapBinder;
import com.google.inject.multibindings.OptionalBinder;
import sh.stagehand.github.internal.GitHubPublicKeys;
import sh.stagehand.spi.vcs.PublicKeyDirectory;
import sh.stagehand.spi.vcs.VcsProviderFactory;

/**
 * Makes {@code vcs.type=git} available, and the import of a GitHub user's public SSH keys into an
 * account ({@link PublicKeyDirectory}).
 */
public final class GitHubModule
        extends AbstractModule
{
    @Override
    protected void configure()
    {
        MapBinder.newMapBinder(binder(), String.class, VcsProviderFactory.class)
                .addBinding(GitVcsProviderFactory.NAME).to(GitVcsProviderFactory.class);
        OptionalBinder.newOptionalBinder(binder(), PublicKeyDirectory.class)
                .setBinding().to(GitHubPublicKeys.class).in(Scopes.SINGLETON);
    }
}
