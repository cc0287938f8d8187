package sh.stagehand.core.access;

import sh.stagehand.core.access.AccountService.Authenticated;
import sh.stagehand.core.access.AccountService.IssuedSession;
import sh.stagehand.spi.Sha256;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;
import static sh.stagehand.spi.RandomSecrets.randomToken;

/**
 * Logins with a password, throttled, and the browser sessions they open: issued, recognised while
 * they last (idle or not), ended. A session is kept under its id's hash. Thread-safe.
 */
final class LoginSessions
{
    private static final Pattern VALID_LOGIN = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private final AccountStore store;
    private final AuthSettings settings;
    private final Clock clock;
    private final Passwords passwords;
    private final LoginThrottle throttle;
    private final AuditTrail audit;

    LoginSessions(AccountStore store, AuthSettings settings, Clock clock, Passwords passwords, AuditTrail audit)
    {
        this.store = requireNonNull(store, "store is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.passwords = requireNonNull(passwords, "passwords is null");
        this.audit = requireNonNull(audit, "audit is null");
        this.throttle = new LoginThrottle(settings.loginAttempts(), settings.loginLockout());
    }

    IssuedSession login(String login, String password, String address)
    {
        String name = login == null ? "" : login.strip().toLowerCase(Locale.ROOT);
        Instant now = clock.instant();
        Optional<Duration> wait = throttle.waitFor(name, address, now);
        if (wait.isPresent()) {
            long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
            throw new StagehandException(StandardErrorCode.TOO_MANY_REQUESTS, "Too many failed logins; try again in " + seconds + " s");
        }
        if (!VALID_LOGIN.matcher(name).matches()) {
            // No account has such a login: not worth a hash, nor a line of the audit log.
            throttle.failedFrom(address, now);
            throw new StagehandException(StandardErrorCode.UNAUTHENTICATED, "Wrong login or password");
        }
        Optional<Account> account = store.findAccount(name);
        if (password == null || password.length() > Passwords.MAX_LENGTH || !passwords.matches(password, account.map(Account::passwordHash))) {
            boolean locked = throttle.failed(name, address, now);
            audit.record(Optional.empty(), name, AuditAction.LOGIN_FAILED, "from " + address);
            if (locked) {
                audit.record(Optional.empty(), name, AuditAction.LOGIN_THROTTLED, "from " + address + ": further logins wait");
            }
            throw new StagehandException(StandardErrorCode.UNAUTHENTICATED, "Wrong login or password");
        }
        throttle.succeeded(name, address);
        return issue(account.get(), now);
    }

    IssuedSession issue(Account account, Instant now)
    {
        String sessionId = randomToken(32);
        String csrf = randomToken(32);
        Instant expires = now.plus(settings.sessionMax());
        store.saveSession(new Session(Sha256.hex(sessionId), account.login(), csrf, now, now, expires));
        return new IssuedSession(account, sessionId, csrf, expires);
    }

    Optional<Authenticated> session(String sessionId)
    {
        if (sessionId == null || sessionId.isBlank()) {
            return Optional.empty();
        }
        String hash = Sha256.hex(sessionId);
        Instant now = clock.instant();
        Optional<Session> found = store.findSession(hash);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Session session = found.get();
        if (!now.isBefore(session.expiresAt()) || !now.isBefore(session.lastSeenAt().plus(settings.sessionIdle()))) {
            store.deleteSession(hash);
            return Optional.empty();
        }
        Optional<Account> account = store.findAccount(session.login());
        if (account.isEmpty()) {
            store.deleteSession(hash);
            return Optional.empty();
        }
        if (session.lastSeenAt().plus(AccountService.TOUCH_EVERY).isBefore(now)) {
            session = session.withLastSeenAt(now);
            store.saveSession(session);
        }
        return Optional.of(new Authenticated(account.get(), Optional.of(session)));
    }

    void logout(String sessionId)
    {
        if (sessionId != null) {
            store.deleteSession(Sha256.hex(sessionId));
        }
    }

    int forgetEnded()
    {
        return store.deleteSessionsEndedBefore(clock.instant());
    }
}
