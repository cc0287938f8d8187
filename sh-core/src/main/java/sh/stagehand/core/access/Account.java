package sh.stagehand.core.access;

import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Someone who uses the platform. Accounts are unlimited; each project gives an account a
 * {@link Role} ({@link Collaborator}).
 *
 * @param login how the account logs in and is named in collaborators and the audit log:
 *        lowercase letters, digits, dots, hyphens and underscores
 * @param name the person's name, as shown
 * @param passwordHash the password as {@link Passwords} encoded it (never the password)
 * @param platformAdmin whether the account administers the platform itself: it creates accounts
 *        and is an admin of every project
 * @param createdAt when it was created
 * @param email where the platform writes to the person (production down, say), if they gave one
 */
public record Account(String login, String name, String passwordHash, boolean platformAdmin, Instant createdAt, Optional<String> email)
{
    // An address any relay takes: an unquoted local part of printable ASCII, a domain of DNS labels.
    private static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+");

    private static final Pattern LOGIN = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    public Account
    {
        requireNonNull(login, "login is null");
        requireNonNull(name, "name is null");
        requireNonNull(passwordHash, "passwordHash is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(email, "email is null");
    }

    public Account(String login, String name, String passwordHash, boolean platformAdmin, Instant createdAt)
    {
        this(login, name, passwordHash, platformAdmin, createdAt, Optional.empty());
    }

    /**
     * @return the address, checked
     * @throws StagehandException {@code INVALID_ARGUMENT} saying what an address looks like
     */
    public static String checkEmail(String email)
    {
        if (email == null || email.length() > 254 || !EMAIL.matcher(email).matches()) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "'" + email + "' is not a mail address: use one such as azure@example.com");
        }
        return email;
    }

    public Account withEmail(Optional<String> email)
    {
        return new Account(login, name, passwordHash, platformAdmin, createdAt, email);
    }

    /**
     * @return the login, checked
     * @throws StagehandException {@code INVALID_ARGUMENT} saying what a login may hold
     */
    public static String checkLogin(String login)
    {
        if (login == null || !LOGIN.matcher(login).matches()) {
            throw new StagehandException(StandardErrorCode.INVALID_ARGUMENT, "Login '" + login + "' is not valid: use 1 to 64 lowercase letters, digits, dots, hyphens or underscores, "
                    + "starting with a letter or digit");
        }
        return login;
    }

    public Account withPasswordHash(String passwordHash)
    {
        return new Account(login, name, passwordHash, platformAdmin, createdAt, email);
    }

    @Override
    public String toString()
    {
        // Never the hash, in a log line or an exception.
        return "Account[" + login + (platformAdmin ? ", platform admin" : "") + "]";
    }
}
