package sh.stagehand.core.access;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Slows down password guessing without letting a stranger lock a user out: after
 * {@code attempts} failed logins of one login from one address, that pair waits, a lockout that
 * doubles with each failure (up to 16 times the first); one address waits after four times as many
 * failures (whatever the logins), and one login after twenty times as many (whatever the
 * addresses: a guesser with many addresses). So the user at another address still logs in while
 * someone guesses at their password. A success forgets its pair's failures, not its address's or
 * its login's: one's own account must not reset the count of guesses at others'. In memory, per
 * process; a failure older than the longest wait is forgotten. Thread-safe.
 */
final class LoginThrottle
{
    private static final int MAX_KEYS = 100_000;
    private static final int MAX_DOUBLINGS = 4;

    private final int attempts;
    private final Duration lockout;
    private final Map<String, Failures> failures = new LinkedHashMap<>(1024, 0.75f, true)
    {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest)
        {
            return size() > MAX_KEYS;
        }
    };

    private record Failures(int count, Instant last) {}

    LoginThrottle(int attempts, Duration lockout)
    {
        this.attempts = attempts;
        this.lockout = lockout;
    }

    /**
     * @return how long to wait before trying again, if the attempt must wait now
     */
    synchronized Optional<Duration> waitFor(String login, String address, Instant now)
    {
        Duration wait = max(left(pair(login, address), attempts, now), max(left("address:" + address, attempts * 4, now), left("login:" + login, attempts * 20, now)));
        return wait.isZero() ? Optional.empty() : Optional.of(wait);
    }

    /**
     * @return whether this failure starts a lockout (of the pair, the address or the login)
     */
    synchronized boolean failed(String login, String address, Instant now)
    {
        boolean pair = count(pair(login, address), now) == attempts;
        boolean fromAddress = count("address:" + address, now) == attempts * 4;
        boolean ofLogin = count("login:" + login, now) == attempts * 20;
        return pair || fromAddress || ofLogin;
    }

    /**
     * A failure that names no login at all (a malformed one): counted against its address only.
     */
    synchronized void failedFrom(String address, Instant now)
    {
        count("address:" + address, now);
    }

    synchronized void succeeded(String login, String address)
    {
        failures.remove(pair(login, address));
    }

    private int count(String key, Instant now)
    {
        Failures known = failures.get(key);
        boolean stale = known != null && known.last().plus(lockout.multipliedBy(1L << MAX_DOUBLINGS)).isBefore(now);
        Failures counted = new Failures(known == null || stale ? 1 : known.count() + 1, now);
        failures.put(key, counted);
        return counted.count();
    }

    private Duration left(String key, int allowed, Instant now)
    {
        Failures known = failures.get(key);
        if (known == null || known.count() < allowed) {
            return Duration.ZERO;
        }
        Instant until = known.last().plus(lockout.multipliedBy(1L << Math.min(known.count() - allowed, MAX_DOUBLINGS)));
        return max(Duration.ZERO, Duration.between(now, until));
    }

    private static String pair(String login, String address)
    {
        return "pair:" + login + "@" + address;
    }

    private static Duration max(Duration a, Duration b)
    {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
