package sh.stagehand.server.smtp;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class AuthThrottleTest
{
    private final MutableClock clock = new MutableClock();
    private final AuthThrottle throttle = new AuthThrottle(5, Duration.ofMinutes(1), clock);
    private final InetAddress guesser = address("172.18.0.7");
    private final InetAddress neighbour = address("172.18.0.8");

    @Test
    void testWaitsAfterTheAllowedFailuresAndDoublesEachFurtherOne()
    {
        for (int failure = 1; failure < 5; failure++) {
            assertThat(throttle.failed(guesser)).isEmpty();
            assertThat(throttle.waitFor(guesser)).isEmpty();
        }
        assertThat(throttle.failed(guesser)).contains(Duration.ofMinutes(1));
        assertThat(throttle.waitFor(guesser)).contains(Duration.ofMinutes(1));
        assertThat(throttle.waitFor(neighbour)).as("another address").isEmpty();

        clock.advance(Duration.ofSeconds(61));
        assertThat(throttle.waitFor(guesser)).isEmpty();
        assertThat(throttle.failed(guesser)).contains(Duration.ofMinutes(2));
        clock.advance(Duration.ofSeconds(121));
        assertThat(throttle.failed(guesser)).contains(Duration.ofMinutes(4));
    }

    @Test
    void testTheWaitStopsDoublingAtSixtyFourTimes()
    {
        for (int failure = 0; failure < 20; failure++) {
            throttle.failed(guesser);
        }
        assertThat(throttle.waitFor(guesser)).contains(Duration.ofMinutes(64));
    }

    @Test
    void testASuccessForgetsTheFailures()
    {
        for (int failure = 0; failure < 4; failure++) {
            throttle.failed(guesser);
        }
        throttle.succeeded(guesser);
        assertThat(throttle.failed(guesser)).as("the first failure again").isEmpty();
        assertThat(throttle.waitFor(guesser)).isEmpty();
    }

    @Test
    void testOldFailuresAreForgotten()
    {
        for (int failure = 0; failure < 5; failure++) {
            throttle.failed(guesser);
        }
        clock.advance(Duration.ofMinutes(65));
        assertThat(throttle.waitFor(guesser)).isEmpty();
        assertThat(throttle.failed(guesser)).as("counted afresh").isEmpty();
    }

    private static InetAddress address(String address)
    {
        try {
            return InetAddress.getByName(address);
        }
        catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static final class MutableClock
            extends Clock
    {
        private Instant now = Instant.parse("2024-05-01T10:00:00Z");

        void advance(Duration duration)
        {
            now = now.plus(duration);
        }

        @Override
        public Instant instant()
        {
            return now;
        }

        @Override
        public java.time.ZoneId getZone()
        {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone)
        {
            return this;
        }
    }
}
