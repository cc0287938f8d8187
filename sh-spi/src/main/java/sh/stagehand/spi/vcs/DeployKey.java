package sh.stagehand.spi.vcs;

import static java.util.Objects.requireNonNull;

/**
 * An ssh key pair the platform made for one project's repository: its customer adds the public
 * half to the repository as a read-only deploy key (GitHub: Settings, Deploy keys), and every ssh
 * fetch of that project logs in with it, and with nothing else.
 *
 * @param publicKey one {@code authorized_keys} line, {@code ssh-ed25519 AAAA... comment}
 * @param privateKey the private half in OpenSSH's format ({@code -----BEGIN OPENSSH PRIVATE KEY-----});
 *         a secret, never in {@link #toString()}
 */
public record DeployKey(String publicKey, String privateKey)
{
    public DeployKey
    {
        requireNonNull(publicKey, "publicKey is null");
        requireNonNull(privateKey, "privateKey is null");
        if (!publicKey.matches("(ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9-]+) [A-Za-z0-9+/]+=*( [^\\r\\n]*)?")) {
            throw new IllegalArgumentException("A deploy key's public half is one authorized_keys line (ssh-ed25519 AAAA... comment)");
        }
        if (!privateKey.strip().startsWith("-----BEGIN OPENSSH PRIVATE KEY-----")) {
            throw new IllegalArgumentException("A deploy key's private half is in OpenSSH's format (-----BEGIN OPENSSH PRIVATE KEY-----)");
        }
    }

    @Override
    public String toString()
    {
        return "DeployKey[" + publicKey + "]";
    }
}
