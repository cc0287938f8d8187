package sh.stagehand.github;

import sh.stagehand.spi.ProviderContext;
import sh.stagehand.spi.config.ConfigKeys;
import sh.stagehand.spi.vcs.VcsProvider;
import sh.stagehand.spi.vcs.VcsProviderFactory;

import java.util.Map;

/**
 * {@code vcs.type=git}; see {@link GitConfig} for its keys.
 */
public final class GitVcsProviderFactory
        implements VcsProviderFactory
{
    public static final String NAME = "git";

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public ConfigKeys configKeys()
    {
        return GitConfig.KEYS;
    }

    @Override
    public VcsProvider create(Map<String, String> config, ProviderContext context)
    {
        GitConfig gitConfig = GitConfig.fromMap(config);
        return new GitVcsProvider(gitConfig.cacheDirectory().orElse(context.dataDirectory().resolve("git-cache")), gitConfig.timeout(), gitConfig.githubApiUrl(), gitConfig.allowedHosts());
    }
}
