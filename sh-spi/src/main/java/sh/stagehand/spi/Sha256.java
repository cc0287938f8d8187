package sh.stagehand.spi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import static java.util.Objects.requireNonNull;

/**
 * SHA-256, the platform's one digest: of content (backups, requirements, names derived from
 * content) and of secrets kept only as their hash. Hexadecimal is lower-case. Thread-safe.
 */
public final class Sha256
{
    private Sha256() {}

    /**
     * A new digest, for content read in pieces; {@link #hex(MessageDigest)} finishes it.
     */
    public static MessageDigest newDigest()
    {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException e) {
            // Every Java platform has SHA-256.
            throw new IllegalStateException(e);
        }
    }

    /**
     * @return the SHA-256 of {@code content}, 32 bytes
     */
    public static byte[] digest(byte[] content)
    {
        return newDigest().digest(requireNonNull(content, "content is null"));
    }

    /**
     * @return the SHA-256 of {@code content}, 64 hexadecimal digits
     */
    public static String hex(byte[] content)
    {
        return HexFormat.of().formatHex(digest(content));
    }

    /**
     * @return the SHA-256 of {@code text}'s UTF-8 bytes, 64 hexadecimal digits
     */
    public static String hex(String text)
    {
        return hex(requireNonNull(text, "text is null").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Finishes {@code digest} (which is reset).
     *
     * @return its SHA-256, 64 hexadecimal digits
     */
    public static String hex(MessageDigest digest)
    {
        return HexFormat.of().formatHex(requireNonNull(digest, "digest is null").digest());
    }
}
