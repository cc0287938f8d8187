package sh.stagehand.core.access;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Slows down password guessing without ever letting a stranger lock a user out of a fresh
 * address:
 * <ul>
 * <li>after {@code attempts} failed logins of one login from one address, that pair waits, a
 *     lockout that doubles with each further failure (up to 16 times the first);</li>
 * <li>one address waits after four times as many failures, whatever the logins (one guesser
 *     trying many accounts);</li>
 * <li>a login that failed twenty times as often, from anywhere (a guesser with many addresses),
 *     is <em>under attack</em>: each address then has one try before its pair waits, instead of
 *     {@code attempts}. The login itself is never locked: a right password from an address that
 *     has not failed is always heard, so the user still logs in elsewhere.</li>
 * </ul>
 * An IPv6 address counts as its /64 (one host can use a whole /64), an IPv4-mapped one as its
 * IPv4 address. A success forgets its pair's failures, not its address's or its login's: one's
 * own account must not reset the count of guesses at others'. In memory, per process; a failure
 * older than the longest wait is forgotten. Thread-safe.
 */
final class LoginThrottle
{
    private static final int MAX_KEYS = 100_000;
    private static final int MAX_DOUBLINGS = 4;
    static final int ADDRESS_FACTOR = 4;
    static final int LOGIN_FACTOR = 20;

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
        String source = source(address);
        Duration wait = max(left(pair(login, source), allowedPerPair(login, now), now), left(fromAddress(source), attempts * ADDRESS_FACTOR, now));
        return wait.isZero() ? Optional.empty() : Optional.of(wait);
    }

    /**
     * @return whether this failure starts a wait (of the pair or the address), or puts the login
     *         under attack
     */
    synchronized boolean failed(String login, String address, Instant now)
    {
        String source = source(address);
        boolean underAttack = count(ofLogin(login), now) == attempts * LOGIN_FACTOR;
        boolean pair = count(pair(login, source), now) == allowedPerPair(login, now);
        boolean fromAddress = count(fromAddress(source), now) == attempts * ADDRESS_FACTOR;
        return pair || fromAddress || underAttack;
    }

    /**
     * A failure that names no login at all (a malformed one): counted against its address only.
     */
    synchronized void failedFrom(String address, Instant now)
    {
        count(fromAddress(source(address)), now);
    }

    synchronized void succeeded(String login, String address)
    {
        failures.remove(pair(login, source(address)));
    }

    private int allowedPerPair(String login, Instant now)
    {
        return current(ofLogin(login), now) >= attempts * LOGIN_FACTOR ? 1 : attempts;
    }

    private int current(String key, Instant now)
    {
        Failures known = failures.get(key);
        return known == null || stale(known, now) ? 0 : known.count();
    }

    private int count(String key, Instant now)
    {
        Failures known = failures.get(key);
        Failures counted = new Failures(known == null || stale(known, now) ? 1 : known.count() + 1, now);
        failures.put(key, counted);
        return counted.count();
    }

    private boolean stale(Failures known, Instant now)
    {
        return known.last().plus(lockout.multipliedBy(1L << MAX_DOUBLINGS)).isBefore(now);
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

    private static String pair(String login, String source)
    {
        return "pair:" + login + "@" + source;
    }

    private static String fromAddress(String source)
    {
        return "address:" + source;
    }

    private static String ofLogin(String login)
    {
        return "login:" + login;
    }

    /**
     * Who an address stands for: itself for IPv4, its /64 for IPv6. Anything that is not an IP
     * literal (an embedder's own notion of a client) is taken as it is, never looked up.
     */
    static String source(String address)
    {
        String literal = address.strip();
        if (literal.startsWith("[") && literal.endsWith("]")) {
            literal = literal.substring(1, literal.length() - 1);
        }
        int zone = literal.indexOf('%');
        if (zone >= 0) {
            literal = literal.substring(0, zone);
        }
        // Only what can be an IPv6 literal is parsed: InetAddress never looks one up.
        if (literal.indexOf(':') < 0 || !literal.matches("[0-9A-Fa-f:.]+")) {
            return literal.toLowerCase(Locale.ROOT);
        }
        try {
            InetAddress parsed = InetAddress.getByName(literal);
            if (parsed instanceof Inet4Address mapped) {
                return mapped.getHostAddress();
            }
            if (parsed instanceof Inet6Address) {
                byte[] bytes = parsed.getAddress();
                StringBuilder prefix = new StringBuilder();
                for (int i = 0; i < 8; i += 2) {
                    prefix.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
                }
                return prefix.append(":/64").toString();
            }
        }
        catch (UnknownHostException e) {
            // not an address: counted as the text it is
        }
        return literal.toLowerCase(Locale.ROOT);
    }

    private static Duration max(Duration a, Duration b)
    {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
