package sh.stagehand.core.monitor;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the platform's proxy relays to each build, counted as it happens and taken by the
 * {@link BuildSampler} once a round: requests by outcome, their response times, how many were in
 * progress at once; and the mail each build sent and had caught. A request answered 429 is
 * {@linkplain Outcome#LIMITED limited}, one answered 5xx or not at all an {@linkplain Outcome#ERROR
 * error}, any other a {@linkplain Outcome#SUCCESS success}.
 *
 * <p>Response times are kept exactly up to {@value #RESERVOIR} requests a round, beyond that as a
 * uniform sample of that many (Vitter's reservoir), so a build flooded with requests costs the
 * platform a fixed amount of memory. A platform that samples nothing counts nothing
 * ({@link #disabled()}). Thread-safe; recording takes a short lock of the build's own.
 */
public final class BuildTraffic
{
    static final int RESERVOIR = 4096;

    public enum Outcome
    {
        SUCCESS, ERROR, LIMITED;

        public static Outcome of(int status)
        {
            if (status == 429) {
                return LIMITED;
            }
            return status >= 500 || status < 100 ? ERROR : SUCCESS;
        }
    }

    /**
     * A build's figures over one round.
     */
    public record Tally(long successes, long errors, long limited, OptionalDouble p50Millis, OptionalDouble p95Millis, int concurrent, long mailsSent, long mailsCaught)
    {
        static final Tally NONE = new Tally(0, 0, 0, OptionalDouble.empty(), OptionalDouble.empty(), 0, 0, 0);
    }

    private static final Request UNCOUNTED = new Request(null, 0);

    private final Map<Long, Counters> builds = new ConcurrentHashMap<>();
    private final boolean enabled;

    public BuildTraffic()
    {
        this(true);
    }

    private BuildTraffic(boolean enabled)
    {
        this.enabled = enabled;
    }

    /**
     * Traffic that is not counted: for a platform whose builds are not sampled.
     */
    public static BuildTraffic disabled()
    {
        return new BuildTraffic(false);
    }

    /**
     * Counts a request to the build from now until {@link Request#end}.
     */
    public Request begin(long buildId)
    {
        if (!enabled) {
            return UNCOUNTED;
        }
        Counters counters = counters(buildId);
        counters.enter();
        return new Request(counters, System.nanoTime());
    }

    public void mailSent(long buildId)
    {
        if (enabled) {
            counters(buildId).mail(true);
        }
    }

    public void mailCaught(long buildId)
    {
        if (enabled) {
            counters(buildId).mail(false);
        }
    }

    /**
     * @return the build's requests of that outcome since the platform started (for a counter)
     */
    public long total(long buildId, Outcome outcome)
    {
        Counters counters = builds.get(buildId);
        return counters == null ? 0 : counters.total(outcome);
    }

    /**
     * Takes the build's figures since the previous call, and starts its next round.
     */
    Tally drain(long buildId)
    {
        Counters counters = builds.get(buildId);
        return counters == null ? Tally.NONE : counters.drain();
    }

    /**
     * Forgets the builds that run no more (a request or a mail that came late for one of them included).
     */
    void retainOnly(Set<Long> running)
    {
        builds.keySet().retainAll(running);
    }

    private Counters counters(long buildId)
    {
        return builds.computeIfAbsent(buildId, id -> new Counters());
    }

    /**
     * A request in progress; {@link #end} counts it once, whatever calls it again.
     */
    public static final class Request
    {
        private final Counters counters;
        private final long startedNanos;
        private final AtomicBoolean ended = new AtomicBoolean();

        private Request(Counters counters, long startedNanos)
        {
            this.counters = counters;
            this.startedNanos = startedNanos;
        }

        /**
         * @param status the HTTP status the client was answered with; 0 if it was not answered
         */
        public void end(int status)
        {
            if (counters != null && ended.compareAndSet(false, true)) {
                counters.exit(Outcome.of(status), (System.nanoTime() - startedNanos) / 1e6);
            }
        }
    }

    private static final class Counters
    {
        private final long[] totals = new long[Outcome.values().length];
        private final long[] round = new long[Outcome.values().length];
        // Grown as requests come, up to the reservoir: an idle build's costs next to nothing.
        private double[] millis = new double[16];
        private long timed;
        private int inProgress;
        private int mostInProgress;
        private long mailsSent;
        private long mailsCaught;

        synchronized void enter()
        {
            inProgress++;
            mostInProgress = Math.max(mostInProgress, inProgress);
        }

        synchronized void exit(Outcome outcome, double elapsedMillis)
        {
            inProgress--;
            totals[outcome.ordinal()]++;
            round[outcome.ordinal()]++;
            if (timed < RESERVOIR) {
                if (timed == millis.length) {
                    millis = Arrays.copyOf(millis, Math.min(RESERVOIR, millis.length * 4));
                }
                millis[(int) timed] = elapsedMillis;
            }
            else {
                long slot = ThreadLocalRandom.current().nextLong(timed + 1);
                if (slot < RESERVOIR) {
                    millis[(int) slot] = elapsedMillis;
                }
            }
            timed++;
        }

        synchronized void mail(boolean sent)
        {
            if (sent) {
                mailsSent++;
            }
            else {
                mailsCaught++;
            }
        }

        synchronized long total(Outcome outcome)
        {
            return totals[outcome.ordinal()];
        }

        synchronized Tally drain()
        {
            int kept = (int) Math.min(timed, RESERVOIR);
            double[] sorted = Arrays.copyOf(millis, kept);
            Arrays.sort(sorted);
            Tally tally = new Tally(round[Outcome.SUCCESS.ordinal()], round[Outcome.ERROR.ordinal()], round[Outcome.LIMITED.ordinal()],
                    percentile(sorted, 0.50), percentile(sorted, 0.95), mostInProgress, mailsSent, mailsCaught);
            Arrays.fill(round, 0);
            timed = 0;
            // What is still in progress is in progress at the next round's start.
            mostInProgress = inProgress;
            mailsSent = 0;
            mailsCaught = 0;
            return tally;
        }

        // Nearest rank.
        private static OptionalDouble percentile(double[] sorted, double rank)
        {
            if (sorted.length == 0) {
                return OptionalDouble.empty();
            }
            return OptionalDouble.of(sorted[(int) Math.ceil(rank * sorted.length) - 1]);
        }
    }
}
