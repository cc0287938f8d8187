package sh.stagehand.core.access;

import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

/**
 * Passwords hashed with Argon2id (Spring Security's encoder on Bouncy Castle, with its 2022
 * recommended parameters: 16 MiB, two passes), never kept or logged as they are. Thread-safe.
 */
public final class Passwords
{
    public static final int MIN_LENGTH = 8;
    public static final int MAX_LENGTH = 1024;

    private final Argon2PasswordEncoder encoder = Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();
    // Compared against when the login is unknown, so that a wrong login takes as long as a wrong password.
    private final String decoy = encoder.encode("decoy password, never anyone's");

    public String hash(String password)
    {
        return encoder.encode(password);
    }

    /**
     * @param hash the account's, or empty for an unknown login: the comparison takes as long
     */
    public boolean matches(String password, java.util.Optional<String> hash)
    {
        boolean matches = encoder.matches(password, hash.orElse(decoy));
        return matches && hash.isPresent();
    }

    /**
     * @throws StagehandException {@code INVALID_ARGUMENT} saying what a password needs
     */
    public static String checkNew(String password, String login)
    {
        if (password == null || password.length() < MIN_LENGTH) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "A password needs at least " + MIN_LENGTH + " characters; a few words make a good one");
        }
        if (password.length() > MAX_LENGTH) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "A password has at most " + MAX_LENGTH + " characters");
        }
        if (password.equalsIgnoreCase(login)) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "A password must not be the login");
        }
        return password;
    }
}
