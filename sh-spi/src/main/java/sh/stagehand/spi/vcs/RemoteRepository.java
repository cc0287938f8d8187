package sh.stagehand.spi.vcs;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A project's repository, and how the platform may reach it.
 *
 * @param url any git URL: a local path or bare repository, {@code file://}, {@code https://},
 *         {@code ssh://} or scp-like {@code git@host:owner/repo.git}
 * @param token for https remotes that need one (a GitHub token); a secret, never in {@link #toString()}
 * @param deployKey the project's own ssh key: every ssh connection for this repository logs in with
 *         it and nothing else (never the platform's {@code ~/.ssh} or an agent); without one, ssh
 *         URLs are refused
 * @param publicUrl for a repository the platform keeps on its own disk (a hosted one), the URL its
 *         users clone it from: relative submodule URLs resolve against it, as in their clones, and
 *         its submodules are never read from the platform's disk
 */
public record RemoteRepository(String url, Optional<String> token, Optional<DeployKey> deployKey, Optional<String> publicUrl)
{
    public RemoteRepository
    {
        requireNonNull(url, "url is null");
        requireNonNull(token, "token is null");
        requireNonNull(deployKey, "deployKey is null");
        requireNonNull(publicUrl, "publicUrl is null");
        if (url.isBlank()) {
            throw new IllegalArgumentException("Repository URL is blank");
        }
    }

    @Override
    public String toString()
    {
        return "RemoteRepository[" + url + (token.isPresent() ? ", token=***" : "") + (deployKey.isPresent() ? ", deployKey" : "") + "]";
    }
}
