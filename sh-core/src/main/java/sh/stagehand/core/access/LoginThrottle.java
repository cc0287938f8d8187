package sh.stagehand.core.access;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Slows down password guessing: after {@code attempts} failed logins of one login (four times as
 * many from one address, which many users may share), each further attempt waits, a lockout that
 * doubles with each failure (up to 16 times the first). A success forgets the login's failures,
 * not the address's: one's own account must not reset the count of guesses at others'. In memory,
 * per process; a failure older than the longest wait is forgotten. Thread-safe.
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
     * @return how long to wait before trying again, if the login or the address must wait now
     */
    synchronized Optional<Duration> waitFor(String login, String address, Instant now)
    {
        Duration wait = max(left(failures.get("login:" + login), attempts, now), left(failures.get("address:" + address), attempts * 4, now));
        return wait.isZero() ? Optional.empty() : Optional.of(wait);
    }

    private Duration left(Failures known, int allowed, Instant now)
    {
        if (known == null || known.count() < allowed) {
            return Duration.ZERO;
        }
        Instant until = known.last().plus(lockout.multipliedBy(1L << Math.min(known.count() - allowed, MAX_DOUBLINGS)));
        return max(Duration.ZERO, Duration.between(now, until));
    }

    private static Duration max(Duration a, Duration b)
    {
        return a.compareTo(b) >= 0 ? a : b;
    }

    synchronized void failed(String login, String address, Instant now)
    {
        for (String key : new String[] {"login:" + login, "address:" + address}) {
            Failures known = failures.get(key);
            boolean stale = known != null && known.last().plus(lockout.multipliedBy(1L << MAX_DOUBLINGS)).isBefore(now);
            failures.put(key, new Failures(known == null || stale ? 1 : known.count() + 1, now));
        }
    }

    synchronized void succeeded(String login)
    {
        failures.remove("login:" + login);
    }
}
