package sh.stagehand.github.internal;

import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.vcs.DeployKey;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.Iterator;

/**
 * Ed25519 deploy keys in OpenSSH's formats, through Apache MINA sshd (its Ed25519 needs Bouncy
 * Castle on the class path). Stateless and thread-safe.
 */
public final class DeployKeys
{
    private DeployKeys() {}

    /**
     * @param comment ends the public key's line; characters other than letters, digits and
     *         {@code @._-} become {@code -}
     */
    public static DeployKey generate(String comment)
    {
        try {
            KeyPair pair = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
            String safeComment = comment.replaceAll("[^A-Za-z0-9@._-]", "-");
            ByteArrayOutputStream privateKey = new ByteArrayOutputStream();
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, safeComment, null, privateKey);
            return new DeployKey(PublicKeyEntry.toString(pair.getPublic()) + (safeComment.isEmpty() ? "" : " " + safeComment), privateKey.toString(StandardCharsets.US_ASCII));
        }
        catch (GeneralSecurityException | IOException e) {
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot make an Ed25519 key pair (is Bouncy Castle on the class path?): " + e.getMessage(), e);
        }
    }

    /**
     * The key pair of a deploy key, for an ssh client.
     */
    public static KeyPair keyPair(DeployKey key)
    {
        try {
            Iterator<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName("deploy key"),
                    new ByteArrayInputStream(key.privateKey().getBytes(StandardCharsets.US_ASCII)), null).iterator();
            if (!pairs.hasNext()) {
                throw new GeneralSecurityException("no key in it");
            }
            return pairs.next();
        }
        catch (GeneralSecurityException | IOException | RuntimeException e) {
            // never the key's text: it is a secret
            throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "Cannot read the private half of deploy key " + key.publicKey() + ": " + e.getClass().getSimpleName(), e);
        }
    }
}
