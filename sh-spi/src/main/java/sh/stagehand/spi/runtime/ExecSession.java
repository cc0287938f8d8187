package sh.stagehand.spi.runtime;

/**
 * A process running in a container, with a terminal or without, started by {@link RuntimeProvider#exec}.
 * Thread-safe.
 */
public interface ExecSession
        extends AutoCloseable
{
    /**
     * Types into the terminal, or writes to the process's input without one: keys as a terminal sends them ({@code \r} for Enter, {@code \u0003}
     * for Ctrl-C). Does nothing once the process has ended.
     */
    void write(byte[] input);

    /**
     * Ends the process's input after what was written: without a terminal, it reads the end of
     * its input, as from a pipe closed; with one, a Ctrl-D is typed. Does nothing once the process
     * has ended.
     */
    void closeInput();

    /**
     * Tells the process its terminal's new size (it receives SIGWINCH). Does nothing once the
     * process has ended.
     */
    void resize(TerminalSize size);

    /**
     * @return whether the process still runs
     */
    boolean isOpen();

    /**
     * Ends the process and what it started in its terminal (SIGHUP, as a terminal closing sends,
     * then SIGKILL), and releases what the session holds. Idempotent; returns once the process
     * has ended, or the engine said it cannot end it.
     */
    @Override
    void close();
}
