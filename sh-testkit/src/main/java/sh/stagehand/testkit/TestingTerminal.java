package sh.stagehand.testkit;

import sh.stagehand.spi.runtime.ExecListener;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A terminal's screen for tests: keeps what an {@link sh.stagehand.spi.runtime.ExecSession} shows,
 * and waits for a text on it or for the process's end. Thread-safe.
 */
public final class TestingTerminal
        implements ExecListener
{
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errors = new ByteArrayOutputStream();
    private final CompletableFuture<OptionalInt> exit = new CompletableFuture<>();

    @Override
    public synchronized void onOutput(byte[] data)
    {
        screen.writeBytes(data);
        notifyAll();
    }

    @Override
    public synchronized void onErrorOutput(byte[] data)
    {
        errors.writeBytes(data);
        notifyAll();
    }

    @Override
    public void onExit(OptionalInt exitCode)
    {
        if (!exit.complete(exitCode)) {
            throw new AssertionError("onExit called twice");
        }
        synchronized (this) {
            notifyAll();
        }
    }

    /**
     * @return what a command without a terminal wrote to its standard error so far
     */
    public synchronized String errorText()
    {
        return errors.toString(StandardCharsets.UTF_8);
    }

    /**
     * @return everything shown so far
     */
    public synchronized String text()
    {
        return screen.toString(StandardCharsets.UTF_8);
    }

    /**
     * Waits until {@code text} is on the screen.
     */
    public synchronized void await(String text, Duration timeout)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!text().contains(text)) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || exit.isDone() && !text().contains(text)) {
                if (exit.isDone()) {
                    throw new AssertionError("The process ended (" + exit.join() + ") without showing '" + text + "'; the screen:\n" + text());
                }
                throw new AssertionError("No '" + text + "' on the screen after " + timeout + "; the screen:\n" + text());
            }
            wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
        }
    }

    /**
     * @return the exit code {@link #onExit} gave
     */
    public OptionalInt awaitExit(Duration timeout)
            throws InterruptedException
    {
        try {
            return exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException e) {
            throw new AssertionError("The process still runs after " + timeout + "; the screen:\n" + text(), e);
        }
        catch (ExecutionException e) {
            throw new AssertionError(e);
        }
    }

    public boolean exited()
    {
        return exit.isDone();
    }
}
