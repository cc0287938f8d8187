package sh.stagehand.postgres;

import sh.stagehand.spi.RandomSecrets;

/**
 * The passwords of build roles and temporary logins: random and hexadecimal, so safe to write
 * inline where DDL takes no parameters. Thread-safe.
 */
final class RandomPasswords
{
    private RandomPasswords() {}

    static String newPassword()
    {
        return RandomSecrets.randomHex(24);
    }
}
