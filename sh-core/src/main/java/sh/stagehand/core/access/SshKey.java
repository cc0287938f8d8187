package sh.stagehand.core.access;

import sh.stagehand.spi.Sha256;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * An SSH public key on a user's profile, for the builds' SSH access.
 *
 * @param fingerprint OpenSSH's {@code SHA256:...} fingerprint; one account's only
 * @param type the key type, {@code ssh-ed25519} and the like
 * @param publicKey the key as {@code authorized_keys} holds it: type and base64, no comment
 * @param title what the user called it (the key's comment when none is given)
 */
public record SshKey(String login, String fingerprint, String type, String publicKey, String title, Instant addedAt)
{
    private static final Set<String> TYPES = Set.of("ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa",
            "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com");
    private static final int MIN_RSA_BITS = 2048;

    public SshKey
    {
        requireNonNull(login, "login is null");
        requireNonNull(fingerprint, "fingerprint is null");
        requireNonNull(type, "type is null");
        requireNonNull(publicKey, "publicKey is null");
        requireNonNull(title, "title is null");
        requireNonNull(addedAt, "addedAt is null");
    }

    /**
     * Reads a key as {@code ssh-keygen} writes it ({@code ssh-ed25519 AAAA... me@laptop}).
     *
     * @param title what to call it; blank: the key's comment, else its type
     * @throws StagehandException {@code INVALID_ARGUMENT} saying what is wrong and what to paste
     */
    public static SshKey parse(String login, String line, String title, Instant addedAt)
    {
        String[] parts = line == null ? new String[0] : line.strip().split("\\s+", 3);
        if (parts.length < 2 || parts[0].isEmpty()) {
            throw invalid("An SSH public key is two or three words, such as 'ssh-ed25519 AAAAC3Nza... me@laptop': paste the content of your ~/.ssh/id_ed25519.pub");
        }
        if (parts[0].startsWith("-----BEGIN")) {
            throw invalid("That is a private key. Never paste it anywhere: paste the public one, the .pub file beside it");
        }
        String type = parts[0];
        if (!TYPES.contains(type)) {
            throw invalid("SSH key type '" + type + "' is not taken; use one of " + new java.util.TreeSet<>(TYPES) + " (ssh-keygen -t ed25519 makes one)");
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(parts[1]);
        }
        catch (IllegalArgumentException e) {
            throw invalid("The SSH key's second word is not base64; paste the whole line of the .pub file");
        }
        checkBlob(type, blob);
        String comment = parts.length > 2 ? parts[2].strip() : "";
        String name = title != null && !title.isBlank() ? title.strip() : comment.isEmpty() ? type : comment;
        return new SshKey(login, fingerprint(blob), type, type + " " + parts[1], name, addedAt);
    }

    // The blob names its own type first; an RSA key holds its exponent and modulus.
    private static void checkBlob(String type, byte[] blob)
    {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(blob))) {
            String inner = new String(readString(in), StandardCharsets.US_ASCII);
            if (!inner.equals(type)) {
                throw invalid("The SSH key says it is " + type + " but its content is a " + inner + " key; paste the line as ssh-keygen wrote it");
            }
            if (type.equals("ssh-rsa")) {
                readString(in);
                int bits = new BigInteger(1, readString(in)).bitLength();
                if (bits < MIN_RSA_BITS) {
                    throw invalid("The RSA key has " + bits + " bits; use at least " + MIN_RSA_BITS + ", or better an ed25519 key (ssh-keygen -t ed25519)");
                }
            }
            else {
                readString(in);
            }
        }
        catch (IOException e) {
            throw invalid("The SSH key's content is cut short; paste the whole line of the .pub file");
        }
    }

    private static byte[] readString(DataInputStream in)
            throws IOException
    {
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
            throw new IOException("length " + length);
        }
        return in.readNBytes(length);
    }

    private static String fingerprint(byte[] blob)
    {
        return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(Sha256.digest(blob));
    }

    private static StagehandException invalid(String message)
    {
        return new StagehandException(StandardErrorCode.INVALID_ARGUMENT, message);
    }
}
