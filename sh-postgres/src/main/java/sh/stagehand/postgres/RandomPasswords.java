package sh.stagehand.postgres;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The passwords of build roles and temporary logins: random and hexadecimal, so safe to write
 * inline where DDL takes no parameters. Thread-safe.
 */
final class RandomPasswords
{
    private static final SecureRandom RANDOM = new SecureRandom();

    private RandomPasswords() {}

    static String newPassword()
    {
        return randomHex(24);
    }

    static String randomHex(int bytes)
    {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
