package sh.stagehand.spi.vcs;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A project's repository.
 *
 * @param url any git URL: a local path or bare repository, {@code file://}, {@code https://},
 *         {@code ssh://} or scp-like {@code git@host:owner/repo.git}
 * @param token for https remotes that need one (a GitHub token); a secret, never in {@link #toString()}
 */
public record RemoteRepository(String url, Optional<String> token)
{
    public RemoteRepository
    {
        requireNonNull(url, "url is null");
        requireNonNull(token, "token is null");
        if (url.isBlank()) {
            throw new IllegalArgumentException("Repository URL is blank");
        }
    }

    public static RemoteRepository of(String url)
    {
        return new RemoteRepository(url, Optional.empty());
    }

    @Override
    public String toString()
    {
        return "RemoteRepository[" + url + (token.isPresent() ? ", token=***" : "") + "]";
    }
}
