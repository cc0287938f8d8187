package sh.stagehand.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock a test moves by hand.
 */
public final class MutableClock
        extends Clock
{
    private volatile Instant now;

    public MutableClock(Instant now)
    {
        this.now = now;
    }

    public void set(Instant now)
    {
        this.now = now;
    }

    public void advance(Duration duration)
    {
        now = now.plus(duration);
    }

    @Override
    public ZoneOffset getZone()
    {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone)
    {
        return this;
    }

    @Override
    public Instant instant()
    {
        return now;
    }
}
