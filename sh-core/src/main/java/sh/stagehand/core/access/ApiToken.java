package sh.stagehand.core.access;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A token a script authenticates with, as its account. Only its hash is kept: the token itself is
 * shown once, when it is made ({@link AccountService#createToken}).
 *
 * @param id names it in lists and in a revocation; not secret
 * @param login whose it is
 * @param name what the user called it ("CI deploy")
 * @param hash the SHA-256 of the token, hexadecimal
 * @param revokedAt when it was revoked; a revoked token authenticates nobody
 */
public record ApiToken(String id, String login, String name, String hash, Instant createdAt, Optional<Instant> lastUsedAt, Optional<Instant> revokedAt)
{
    public ApiToken
    {
        requireNonNull(id, "id is null");
        requireNonNull(login, "login is null");
        requireNonNull(name, "name is null");
        requireNonNull(hash, "hash is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(lastUsedAt, "lastUsedAt is null");
        requireNonNull(revokedAt, "revokedAt is null");
    }

    public ApiToken withLastUsedAt(Instant at)
    {
        return new ApiToken(id, login, name, hash, createdAt, Optional.of(at), revokedAt);
    }

    public ApiToken withRevokedAt(Instant at)
    {
        return new ApiToken(id, login, name, hash, createdAt, lastUsedAt, Optional.of(at));
    }
}
