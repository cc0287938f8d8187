package sh.stagehand.core.access;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * A logged-in browser. Only the hash of its id is kept, as for tokens.
 *
 * @param idHash the SHA-256 of the session id the browser holds in its cookie, hexadecimal
 * @param csrfToken what every state-changing request of the session must carry besides its cookie
 * @param lastSeenAt its last request; the session ends after {@code auth.session-idle} without one
 * @param expiresAt when it ends whatever happens ({@code auth.session-max} after the login)
 */
public record Session(String idHash, String login, String csrfToken, Instant createdAt, Instant lastSeenAt, Instant expiresAt)
{
    public Session
    {
        requireNonNull(idHash, "idHash is null");
        requireNonNull(login, "login is null");
        requireNonNull(csrfToken, "csrfToken is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(lastSeenAt, "lastSeenAt is null");
        requireNonNull(expiresAt, "expiresAt is null");
    }

    public Session withLastSeenAt(Instant at)
    {
        return new Session(idHash, login, csrfToken, createdAt, at, expiresAt);
    }

    @Override
    public String toString()
    {
        return "Session[" + login + ", since " + createdAt + "]";
    }
}
