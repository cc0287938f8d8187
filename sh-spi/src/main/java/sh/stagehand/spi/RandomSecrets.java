package sh.stagehand.spi;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The platform's one source of secrets and unguessable names: passwords, tokens, keys, the
 * random part of a name that must not be predicted. Thread-safe.
 */
public final class RandomSecrets
{
    private static final SecureRandom RANDOM = new SecureRandom();

    private RandomSecrets() {}

    /**
     * @return {@code count} random bytes
     */
    public static byte[] randomBytes(int count)
    {
        if (count < 1) {
            throw new IllegalArgumentException("count must be positive: " + count);
        }
        byte[] random = new byte[count];
        RANDOM.nextBytes(random);
        return random;
    }

    /**
     * @return {@code bytes} random bytes as lower-case hexadecimal ({@code 2 * bytes} characters):
     *         safe to write unquoted in SQL, configuration files and names
     */
    public static String randomHex(int bytes)
    {
        return HexFormat.of().formatHex(randomBytes(bytes));
    }

    /**
     * @return {@code bytes} random bytes in URL-safe Base64 without padding: for tokens a user
     *         copies (shorter than hexadecimal)
     */
    public static String randomToken(int bytes)
    {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(bytes));
    }
}
