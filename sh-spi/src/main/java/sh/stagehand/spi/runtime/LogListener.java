package sh.stagehand.spi.runtime;

/**
 * Receives a container's output line by line. Called from one thread at a time; must not block
 * for long, since the engine's stream waits for it.
 */
@FunctionalInterface
public interface LogListener
{
    void onLine(LogLine line);
}
