package sh.stagehand.spi.runtime;

import java.util.OptionalInt;

/**
 * Receives what an {@link ExecSession}'s process writes, to its terminal or (without one) to its
 * standard output and error, on a thread of the provider's, in order.
 */
public interface ExecListener
{
    /**
     * Bytes the terminal shows: output, echoed input, escape sequences, as they come (not lines; a
     * multi-byte character may be split between two calls).
     */
    void onOutput(byte[] data);

    /**
     * What a process without a terminal writes to its standard error; with a terminal, errors
     * are output. By default, output.
     */
    default void onErrorOutput(byte[] data)
    {
        onOutput(data);
    }

    /**
     * Called once, last, when the process has ended: by itself (its exit code), because the session
     * was closed, or with its container (empty when the code is not known).
     */
    void onExit(OptionalInt exitCode);
}
