package sh.stagehand.spi.vcs;

import sh.stagehand.spi.StagehandException;

import java.net.URI;
import java.util.List;

/**
 * Where a code host's users publish their public SSH keys (GitHub serves them at
 * {@code https://github.com/<user>.keys}), for an account to import its keys rather than paste
 * them. What to do with the keys is the caller's.
 *
 * <p>Implementations are thread-safe.
 */
public interface PublicKeyDirectory
{
    /**
     * The public keys a user of the code host publishes, one OpenSSH public key line each, as
     * published, blank lines left out.
     *
     * @param host the code host, e.g. {@code https://github.com}
     * @param user the user's name on the host
     * @throws StagehandException {@code INVALID_ARGUMENT} for a name that is no user name of the
     *         host; {@code NOT_FOUND} for an unknown user; {@code PROVIDER_UNAVAILABLE} if the host
     *         cannot be reached or does not answer; {@code INTERRUPTED}
     */
    List<String> publicKeys(URI host, String user);
}
