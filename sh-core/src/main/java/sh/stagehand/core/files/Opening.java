package sh.stagehand.core.files;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One operation of a {@link ContainerDirectory}: what it left out, and its opens, each with a
 * deadline. open(2) of a FIFO blocks until someone writes it, and Java cannot open with
 * {@code O_NONBLOCK}: an open that does not return in time is left to a thread of its own, which
 * closes what it opens if it ever returns, and the operation gives up after a few. Not thread-safe.
 */
final class Opening
{
    /** Entries a result names; more are counted. */
    static final int MAX_REPORTED = 100;
    // Opens that did not return in time before an operation gives up.
    private static final int MAX_BLOCKED_OPENS = 3;
    private static final AtomicInteger OPENER_THREADS = new AtomicInteger();
    private static final ExecutorService OPENER = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "container-directory-open-" + OPENER_THREADS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });

    private final Duration timeout;
    private final List<ContainerDirectory.LeftOut> leftOut = new ArrayList<>();
    private long unreported;
    private int blocked;

    Opening(Duration timeout)
    {
        this.timeout = timeout;
    }

    void leaveOut(String path, String reason)
    {
        if (leftOut.size() < MAX_REPORTED) {
            leftOut.add(new ContainerDirectory.LeftOut(path, reason));
        }
        else {
            unreported++;
        }
    }

    List<ContainerDirectory.LeftOut> leftOut()
    {
        List<ContainerDirectory.LeftOut> all = new ArrayList<>(leftOut);
        if (unreported > 0) {
            all.add(new ContainerDirectory.LeftOut("…", "and " + unreported + " more entries left out"));
        }
        return List.copyOf(all);
    }

    /**
     * Opens something in {@code directory} through a handle of the directory's own, within the
     * deadline. A Java directory stream holds a lock for as long as an open in it lasts, and
     * closing it waits for that lock: the handle an open that never returns is left with is one
     * nobody else closes.
     */
    <T extends Closeable> T open(String path, SecureDirectoryStream<Path> directory, Opener<T> open)
            throws IOException
    {
        if (blocked >= MAX_BLOCKED_OPENS) {
            throw new IOException("Gave up on " + path + ": " + blocked + " opens blocked, each longer than " + timeout.toMillis()
                    + " ms (FIFOs in the place of files or directories)");
        }
        // A directory's own "." is a directory: opening it never blocks.
        SecureDirectoryStream<Path> handle = directory.newDirectoryStream(Path.of("."), LinkOption.NOFOLLOW_LINKS);
        Pending<T> pending = new Pending<>();
        Future<?> task;
        try {
            task = OPENER.submit(() -> {
                try (handle) {
                    T value = open.open(handle);
                    if (!pending.deliver(value)) {
                        value.close();
                    }
                }
                return null;
            });
        }
        catch (RuntimeException e) {
            handle.close();
            throw e;
        }
        try {
            task.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return pending.value();
        }
        catch (ExecutionException e) {
            if (e.getCause() instanceof IOException cause) {
                throw cause;
            }
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new IOException("Cannot open " + path + ": " + e.getCause(), e.getCause());
        }
        catch (TimeoutException e) {
            Optional<T> late = pending.abandon();
            if (late.isPresent()) {
                return late.get();
            }
            blocked++;
            return rethrow(new BlockedOpenException("its open blocked longer than " + timeout.toMillis() + " ms (a FIFO?)"));
        }
        catch (InterruptedException e) {
            pending.abandon().ifPresent(Opening::closeQuietly);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while opening " + path);
        }
    }

    private static <T> T rethrow(IOException e)
            throws IOException
    {
        throw e;
    }

    private static void closeQuietly(Closeable closeable)
    {
        try {
            closeable.close();
        }
        catch (IOException ignored) {
            // nothing read from it
        }
    }

    /**
     * An open that did not return in time: a FIFO, which blocks its reader until someone writes
     * it, put where a file or a directory was.
     */
    static final class BlockedOpenException
            extends IOException
    {
        BlockedOpenException(String message)
        {
            super(message);
        }
    }

    @FunctionalInterface
    interface Opener<T>
    {
        T open(SecureDirectoryStream<Path> directory)
                throws IOException;
    }

    // An open's result, handed over once: to the caller in time, or closed by the opener if the
    // caller stopped waiting.
    private static final class Pending<T extends Closeable>
    {
        private T value;
        private boolean abandoned;

        synchronized boolean deliver(T opened)
        {
            if (abandoned) {
                return false;
            }
            value = opened;
            return true;
        }

        synchronized T value()
        {
            return value;
        }

        synchronized Optional<T> abandon()
        {
            abandoned = true;
            return Optional.ofNullable(value);
        }
    }
}
