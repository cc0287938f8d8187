package sh.stagehand.spi.runtime;

import java.time.Duration;

/**
 * A running {@link RuntimeProvider#followLogs} stream. Thread-safe.
 */
public interface LogFollow
        extends AutoCloseable
{
    /**
     * Waits until the stream has ended: the container exited and its last line was delivered, or
     * the follow was closed.
     *
     * @return whether it ended within {@code timeout}
     * @throws sh.stagehand.spi.StagehandException {@code INTERRUPTED}
     */
    boolean awaitCompletion(Duration timeout);

    /**
     * Stops following; the listener receives no line after this returns. Idempotent.
     */
    @Override
    void close();
}
