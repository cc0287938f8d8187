package sh.stagehand.core.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The random secrets accounts are given (passwords, session ids, CSRF and API tokens), and the
 * hash under which a secret is kept: never the secret itself.
 */
final class Secrets
{
    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {}

    static String randomText(int bytes)
    {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(bytes));
    }

    static byte[] randomBytes(int bytes)
    {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return random;
    }

    static String sha256(String text)
    {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
