package sh.stagehand.server.smtp;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Slows down the guessing of builds' mail credentials: after {@code attempts} failed logins from
 * one address, that address waits, a lockout that doubles with each further failure (up to 64
 * times the first). While it waits, every login from it is refused unchecked, the right one too, so
 * nothing is learnt. Another address is never slowed down, and a client that logs in right is
 * never made to wait: a success forgets its address's failures. Build containers each have an
 * address of their own, so a guessing build locks out only itself. In memory, per process; a
 * failure older than the longest wait is forgotten. Thread-safe.
 */
final class AuthThrottle
{
    private static final int MAX_ADDRESSES = 100_000;
    private static final int MAX_DOUBLINGS = 6;

    private final int attempts;
    private final Duration lockout;
    private final Clock clock;
    private final Map<InetAddress, Failures> failures = new LinkedHashMap<>(256, 0.75f, true)
    {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, Failures> eldest)
        {
            return size() > MAX_ADDRESSES;
        }
    };

    private record Failures(int count, Instant last) {}

    AuthThrottle(int attempts, Duration lockout, Clock clock)
    {
        if (attempts <= 0) {
            throw new IllegalArgumentException("attempts is not positive: " + attempts);
        }
        this.attempts = attempts;
        this.lockout = requireNonNull(lockout, "lockout is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * @return how long the address must wait before it may try again, if it must wait now
     */
    synchronized Optional<Duration> waitFor(InetAddress address)
    {
        Failures known = failures.get(address);
        if (known == null || known.count() < attempts) {
            return Optional.empty();
        }
        Instant until = known.last().plus(lockout.multipliedBy(1L << Math.min(known.count() - attempts, MAX_DOUBLINGS)));
        Duration left = Duration.between(clock.instant(), until);
        return left.isNegative() || left.isZero() ? Optional.empty() : Optional.of(left);
    }

    /**
     * @return the wait this failure starts, if it starts one
     */
    synchronized Optional<Duration> failed(InetAddress address)
    {
        Instant now = clock.instant();
        Failures known = failures.get(address);
        boolean stale = known != null && known.last().plus(lockout.multipliedBy(1L << MAX_DOUBLINGS)).isBefore(now);
        Failures counted = new Failures(known == null || stale ? 1 : known.count() + 1, now);
        failures.put(address, counted);
        return counted.count() < attempts ? Optional.empty() : Optional.of(lockout.multipliedBy(1L << Math.min(counted.count() - attempts, MAX_DOUBLINGS)));
    }

    synchronized void succeeded(InetAddress address)
    {
        failures.remove(address);
    }
}
